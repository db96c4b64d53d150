INSERT INTO items VALUES (1, 'one');
COMMIT;
INSERT INTO items VALUES (2, 'two');
