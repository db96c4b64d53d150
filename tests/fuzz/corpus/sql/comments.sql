/* header ; comment
   /* nested ; */ still a comment */
-- line comment ; with a semicolon
SELECT 1 /* inline ; */ + 2; -- trailing
/**/;;
