#!/usr/bin/env bash
# The done-when check of issue 18, by hand: the README's production command (gunicorn + two workers) on a
# PostgreSQL database with generated people (`generate_demo --people 1000000`); the CSV of everyone through the job
# queue, then the same export with the worker running it killed with SIGKILL in the middle. Prints what it sees.
#
#     DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_bench_1000000 tools/production_export_check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export DJANGO_ENV=production SECRET_KEY=$(python3 -c "import secrets; print(secrets.token_urlsafe(50))")
export ALLOWED_HOSTS=127.0.0.1 DATABASE_URL="${DATABASE_URL:?set DATABASE_URL to a PostgreSQL database with generated people}"
export SECURE_SSL_REDIRECT=0 MEDIA_ROOT=/tmp/prod-media STATIC_ROOT=/tmp/prod-static LOG_LEVEL=WARNING
rm -rf /tmp/prod-media; mkdir -p /tmp/prod-media
.venv/bin/python manage.py migrate --no-input -v0
.venv/bin/python manage.py createcachetable
.venv/bin/python manage.py collectstatic --no-input -v0
SESSION=$(.venv/bin/python manage.py shell -c "
from django.contrib.auth import get_user_model, BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
u, _ = get_user_model().objects.get_or_create(username='prod-check')
u.groups.add(Group.objects.get(name='Exports'))
s = SessionStore(); s[SESSION_KEY] = str(u.pk); s[BACKEND_SESSION_KEY] = 'django.contrib.auth.backends.ModelBackend'
s[HASH_SESSION_KEY] = u.get_session_auth_hash(); s.create(); print(s.session_key)" 2>/dev/null | tail -1)
EXPECTED=$(psql "$DATABASE_URL" -tAc "select count(*) from contacts_person where not do_not_contact")
echo "people who may be contacted: $EXPECTED"
.venv/bin/gunicorn config.wsgi:application --bind 127.0.0.1:8011 --workers 4 --timeout 30 > /tmp/prod-gunicorn.log 2>&1 &
GUNICORN=$!
.venv/bin/python manage.py worker --no-reload > /tmp/prod-worker1.log 2>&1 &
W1=$!
.venv/bin/python manage.py worker --no-reload > /tmp/prod-worker2.log 2>&1 &
W2=$!
trap 'kill $GUNICORN $W1 $W2 2>/dev/null || true' EXIT
sleep 5
H=(-H "Cookie: sessionid=$SESSION" -H "X-Forwarded-Proto: https" -H "Host: 127.0.0.1")
export_once() {
  local out
  out=$(curl -sS -o /dev/null -w "%{http_code} %{time_total} %{redirect_url}" "${H[@]}" "http://127.0.0.1:8011/contacts/export/?format=csv")
  echo "$out"
}
status() { curl -sS "${H[@]}" -H "Accept: application/json" "http://127.0.0.1:8011/jobs/$1/"; }
echo "== 1. The CSV of everyone"
read code seconds location < <(export_once)
echo "request: $code in ${seconds}s -> $location"
JOB=$(echo "$location" | sed -E 's#.*/jobs/([0-9]+)/#\1#')
start=$(date +%s.%N)
while true; do s=$(status $JOB); st=$(echo "$s" | python3 -c "import json,sys; print(json.load(sys.stdin)['status'])"); [ "$st" = done ] || [ "$st" = failed ] && break; sleep 0.5; done
end=$(date +%s.%N)
echo "job $JOB: $s"
echo "request to done: $(python3 -c "print(round($end - $start + $seconds, 1))") s"
curl -sS "${H[@]}" -o /tmp/prod-export.csv "http://127.0.0.1:8011/jobs/$JOB/download/"
LINES=$(wc -l < /tmp/prod-export.csv)
echo "downloaded: $LINES lines (header + $((LINES - 1)) people; expected $EXPECTED), $(du -h /tmp/prod-export.csv | cut -f1)"
echo "== 2. A worker killed with SIGKILL in the middle of the same export"
read code seconds location < <(export_once)
JOB=$(echo "$location" | sed -E 's#.*/jobs/([0-9]+)/#\1#')
echo "request: $code in ${seconds}s -> job $JOB"
while true; do s=$(status $JOB); rows=$(echo "$s" | python3 -c "import json,sys; d=json.load(sys.stdin); print(d['rows'] if d['status']=='running' else 0)"); [ "$rows" -gt 300000 ] && break; sleep 0.5; done
VICTIM=$(psql "$DATABASE_URL" -tAc "select worker from jobs_job where id=$JOB" | cut -d: -f2)
echo "killing worker pid $VICTIM at $rows rows: $(date +%T)"
kill -9 "$VICTIM"
sleep 2
echo "just after: $(status $JOB)"
ls -R /tmp/prod-media/jobs/$JOB 2>/dev/null || echo "no file for job $JOB in the storage"
curl -sS -o /dev/null -w "download now: %{http_code} -> %{redirect_url}\n" "${H[@]}" "http://127.0.0.1:8011/jobs/$JOB/download/"
start=$(date +%s)
while true; do s=$(status $JOB); st=$(echo "$s" | python3 -c "import json,sys; print(json.load(sys.stdin)['status'])"); [ "$st" = done ] || [ "$st" = failed ] && break; sleep 1; done
echo "after $(( $(date +%s) - start )) s: $s"
psql "$DATABASE_URL" -tAc "select status, attempts, rows, total, worker, error from jobs_job where id=$JOB"
curl -sS "${H[@]}" -o /tmp/prod-export2.csv "http://127.0.0.1:8011/jobs/$JOB/download/"
echo "downloaded: $(wc -l < /tmp/prod-export2.csv) lines; identical to the first: $(cmp -s /tmp/prod-export.csv /tmp/prod-export2.csv && echo yes || echo 'no (timestamps differ? compare)')"
echo "worker peak memory (VmHWM) of the surviving worker(s):"
for p in $W1 $W2; do [ -d /proc/$p ] && grep VmHWM /proc/$p/status; done
