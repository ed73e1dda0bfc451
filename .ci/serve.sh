#!/usr/bin/env bash
# `make run`: the web app and a Celery worker (with beat) on the embedded broker.
# Each runs in a session of its own, so Ctrl-C reaches only this script, which
# stops both: a warm shutdown first (running tasks are handed back to the
# broker), then a cold one, so nothing is left running after a few seconds.
set -u
bin=$1 port=$2

setsid "$bin/celery" -A workers.celery_app worker --beat --schedule instance/celerybeat-schedule \
  -Q celery,notifications --loglevel=INFO --concurrency=2 &
worker=$!
setsid "$bin/gunicorn" -c gunicorn.conf.py --bind "127.0.0.1:$port" --workers 2 --access-logfile - wsgi:app &
web=$!

running() { kill -0 "$worker" 2>/dev/null || kill -0 "$web" 2>/dev/null; }
wait_up_to() {  # tenths of a second
  for _ in $(seq "$1"); do running || return 0; sleep 0.1; done
  return 1
}
stop() {
  trap - INT TERM EXIT
  echo; echo "Stopping the web app and the worker ..."
  kill -TERM -- "-$worker" "-$web" 2>/dev/null
  wait_up_to 40 && exit 0
  kill -QUIT -- "-$worker" 2>/dev/null   # Celery's cold shutdown: stop running tasks now
  wait_up_to 20 && exit 0
  kill -KILL -- "-$worker" "-$web" 2>/dev/null
  exit 0
}
trap stop INT TERM EXIT
wait
