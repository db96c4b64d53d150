SELECT 1;
SELECT 'no end;
