INSERT INTO items VALUES (1, 'one');

INSERT INTO items (id) VALUES (3);
