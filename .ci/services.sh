#!/usr/bin/env bash
# Starts the local services the integration tests use, if they are not already running.
# Only services that are down are started; nothing is ever stopped here.
set -u

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && exec 3>&- 3<&-; }

if ! port_open 5432; then
  echo "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
fi
if ! port_open 6379; then
  echo "starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no || true
fi
if ! port_open 5672; then
  echo "starting RabbitMQ"
  rabbitmq-server -detached || true
fi
for _ in $(seq 1 30); do
  port_open 5432 && port_open 6379 && port_open 5672 && break
  sleep 1
done
for p in 5432 6379 5672; do
  port_open "$p" && echo "port $p up" || echo "port $p DOWN"
done
