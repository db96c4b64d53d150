INSERT INTO items VALUES (1, 'one');
INSERT INTO items VALUES (2, 'two');
INSERT INTO items VALUES (1, 'again');
