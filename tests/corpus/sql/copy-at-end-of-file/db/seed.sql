INSERT INTO items VALUES (1, 'one');
COPY items (id, note) FROM stdin;