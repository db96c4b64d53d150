INSERT INTO t (s) VALUES ('it''s; fine'), (E'back\\slash\' ; quote'), (e'\n');
SELECT "weird;name", "with""quote" FROM "T";
SELECT 'two' 'lines
; still inside';
SELECT U&'\0441' AS e;
