INSERT INTO items VALUES (1, 'one');
COPY items (id, note) FROM stdin;
2	two
3
\.
