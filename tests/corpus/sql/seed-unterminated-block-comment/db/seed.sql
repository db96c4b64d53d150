INSERT INTO items VALUES (1, 'one');
/* this comment is never closed
INSERT INTO items VALUES (3, 'x');
