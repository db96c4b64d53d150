COPY public.users (display_name, handle, email, cognito_user_id) FROM stdin;
Andrew Brown	andrewbrown	andrew@exampro.co	MOCK
Andrew Bayko	bayko	bayko@exampro.co	MOCK;not;an;end
\.
SELECT count(*) FROM public.users;
copy t from STDIN with (format csv);
a,"b;c"
\.
COPY t TO stdout;
