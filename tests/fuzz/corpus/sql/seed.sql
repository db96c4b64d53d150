-- Cruddur seed data (loaded by devenv's pg.seed plugin after db/schema.sql).
-- Plain SQL only: this file is run in one transaction with ON_ERROR_STOP.

INSERT INTO public.users (display_name, handle, email, cognito_user_id)
VALUES
  ('Andrew Brown', 'andrewbrown', 'andrew@exampro.co', 'MOCK'),
  ('Andrew Bayko', 'bayko', 'bayko@exampro.co', 'MOCK'),
  ('Londo Mollari', 'londo', 'lmollari@centari.com', 'MOCK');

INSERT INTO public.activities (user_uuid, message, expires_at)
VALUES
  (
    (SELECT uuid from public.users WHERE users.handle = 'andrewbrown' LIMIT 1),
    'This was imported as seed data!',
    current_timestamp + interval '10 day'
  ),
  (
    (SELECT uuid from public.users WHERE users.handle = 'andrewbrown' LIMIT 1),
    'Cloud costs are like gravity; you only notice them when you fall.',
    current_timestamp + interval '10 day'
  ),
  (
    (SELECT uuid from public.users WHERE users.handle = 'bayko' LIMIT 1),
    'I''m rewatching Babylon 5 tonight. No spoilers please!',
    current_timestamp + interval '10 day'
  ),
  (
    (SELECT uuid from public.users WHERE users.handle = 'bayko' LIMIT 1),
    'Reminder: set ON_ERROR_STOP=1; a failing seed should never exit 0.',
    current_timestamp + interval '10 day'
  ),
  (
    (SELECT uuid from public.users WHERE users.handle = 'londo' LIMIT 1),
    'Ah, arrogance and stupidity all in the same package. How efficient of you.',
    current_timestamp + interval '10 day'
  ),
  (
    (SELECT uuid from public.users WHERE users.handle = 'londo' LIMIT 1),
    'Only an idiot would say that Centauri can''t dance; we dance better than anyone.',
    current_timestamp + interval '10 day'
  ),
  (
    (SELECT uuid from public.users WHERE users.handle = 'andrewbrown' LIMIT 1),
    'Week 5 of the bootcamp: DynamoDB single-table design -- it''s all about access patterns.',
    current_timestamp + interval '10 day'
  );
