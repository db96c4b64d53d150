INSERT INTO items VALUES (1, 'one');
ROLLBACK;
INSERT INTO items VALUES (2, 'two');
