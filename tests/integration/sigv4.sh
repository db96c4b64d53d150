# SigV4: the Authorization header devenv sends for a fixed request, time and
# credentials equals the one botocore computes, on production's host name and
# default HTTPS port (the connection redirected to a local TLS server).
. "$(dirname "$0")/lib.sh"
: "${DEVENV_SIGV4_PROBE:?}"
[ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import botocore' 2>/dev/null || { echo "no botocore"; exit 77; }
tools=$(cd "$(dirname "$0")/../tools" && pwd)
host=dynamodb.us-east-1.amazonaws.com

openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=$host" -addext "subjectAltName=DNS:$host" \
	-keyout "$T/key.pem" -out "$T/cert.pem" 2>/dev/null

probe() { # AMZ_DATE BODY OP
	rm -f "$T/port" "$T/capture.json"
	/usr/bin/python3 "$tools/tls_capture.py" "$T/cert.pem" "$T/key.pem" "$T/port" "$T/capture.json" &
	server=$!
	for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.05; done
	"$DEVENV_SIGV4_PROBE" "https://$host" us-east-1 "$3" "$2" "$1" "$host:443:127.0.0.1:$(cat "$T/port")" \
		"$T/cert.pem" || fail "the probe's request failed"
	wait $server
	sent=$(json_get "$T/capture.json" '[v for k, v in j["headers"] if k.lower() == "authorization"][0]')
	/usr/bin/python3 "$tools/botocore_sign.py" "$T/capture.json" us-east-1 >"$T/boto"
	want=$(sed -n 1p "$T/boto")
	[ "$sent" = "$want" ] || fail "devenv sent
  $sent
botocore computes
  $want"
	# The secret itself is never sent.
	grep -q "$AWS_SECRET_ACCESS_KEY" "$T/capture.json" && fail "the secret key was sent"
	[ "$(json_get "$T/capture.json" '[v for k, v in j["headers"] if k.lower() == "host"][0]')" = "$host" ] ||
		fail "the Host header is not production's"
	return 0
}

export AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
unset AWS_SESSION_TOKEN AWS_PROFILE || true
probe 20150830T123600Z '{}' ListTables
grep -q 'content-type;host;x-amz-date' "$T/boto" || fail "signed headers: $(sed -n 2p "$T/boto")"
probe 20261126T091500Z '{"TableName":"cruddur-messages","Limit":5}' Scan
# Session credentials: X-Amz-Security-Token is sent and signed.
export AWS_SESSION_TOKEN=FQoGZXIvYXdzEXAMPLETOKEN/with+chars=
probe 20261126T091500Z '{}' ListTables
grep -q 'x-amz-security-token' "$T/boto" || fail "the session token is not signed: $(sed -n 2p "$T/boto")"

# No variables: the shared credentials file, under AWS_PROFILE.
cat >"$T/credentials" <<'INI'
[default]
aws_access_key_id = AKIADEFAULTDEFAULT
aws_secret_access_key = defaultsecretdefaultsecret
[ci]
aws_access_key_id = AKIAPROFILEPROFILE
aws_secret_access_key = profilesecret/profilesecret+x
INI
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
export AWS_SHARED_CREDENTIALS_FILE=$T/credentials AWS_PROFILE=ci
rm -f "$T/port" "$T/capture.json"
/usr/bin/python3 "$tools/tls_capture.py" "$T/cert.pem" "$T/key.pem" "$T/port" "$T/capture.json" &
server=$!
for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.05; done
"$DEVENV_SIGV4_PROBE" "https://$host" us-east-1 ListTables '{}' 20261126T091500Z \
	"$host:443:127.0.0.1:$(cat "$T/port")" "$T/cert.pem" || fail "probe with a profile"
wait $server
sent=$(json_get "$T/capture.json" '[v for k, v in j["headers"] if k.lower() == "authorization"][0]')
want=$(AWS_ACCESS_KEY_ID=AKIAPROFILEPROFILE AWS_SECRET_ACCESS_KEY=profilesecret/profilesecret+x \
	/usr/bin/python3 "$tools/botocore_sign.py" "$T/capture.json" us-east-1 | sed -n 1p)
[ "$sent" = "$want" ] || fail "profile credentials: devenv sent $sent, botocore computes $want"
echo ok
