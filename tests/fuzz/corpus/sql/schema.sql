-- Cruddur PostgreSQL schema (loaded by devenv's pg.schema-load plugin).
-- Plain SQL only: this file is run in one transaction with ON_ERROR_STOP.

-- gen_random_uuid() is built in since PostgreSQL 13: no extension is needed.

DROP TABLE IF EXISTS public.activities CASCADE;
DROP TABLE IF EXISTS public.users CASCADE;

CREATE TABLE public.users (
  uuid UUID DEFAULT gen_random_uuid() PRIMARY KEY,
  display_name text NOT NULL,
  handle text NOT NULL UNIQUE,
  email text NOT NULL,
  cognito_user_id text NOT NULL,
  created_at TIMESTAMP default current_timestamp NOT NULL
);

CREATE TABLE public.activities (
  uuid UUID DEFAULT gen_random_uuid() PRIMARY KEY,
  user_uuid UUID NOT NULL REFERENCES public.users(uuid),
  message text NOT NULL,
  replies_count integer DEFAULT 0,
  reposts_count integer DEFAULT 0,
  likes_count integer DEFAULT 0,
  reply_to_activity_uuid integer,
  expires_at TIMESTAMP,
  created_at TIMESTAMP default current_timestamp NOT NULL
);
