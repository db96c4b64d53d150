INSERT INTO items VALUES (1, 'one');
INSERT INTO items VALUES (2, E'two\');
INSERT INTO items VALUES (3, 4);
