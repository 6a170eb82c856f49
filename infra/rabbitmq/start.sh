#!/bin/sh
# Starts RabbitMQ, then sets the passwords of the services' users (definitions.json, imported at
# each boot, leaves them without one: nobody can log in until this has run). Passwords come from
# the environment so that none is written in the repository.
set -eu
ready=/tmp/outband-users-ready
rm -f "$ready"
for var in OUTBAND_INFORMATION_AMQP_PASSWORD OUTBAND_DATA_AMQP_PASSWORD OUTBAND_MESSAGE_AMQP_PASSWORD; do
  eval "value=\${$var:-}"
  if [ -z "$value" ]; then
    echo "$var is not set" >&2
    exit 1
  fi
done

docker-entrypoint.sh rabbitmq-server &
broker=$!
trap 'kill -TERM "$broker"; wait "$broker"; exit $?' TERM INT

until rabbitmqctl -q await_startup >/dev/null 2>&1; do
  kill -0 "$broker" 2>/dev/null || exit 1
  sleep 1
done
rabbitmqctl -q change_password outband-information "$OUTBAND_INFORMATION_AMQP_PASSWORD"
rabbitmqctl -q change_password outband-data "$OUTBAND_DATA_AMQP_PASSWORD"
rabbitmqctl -q change_password outband-message "$OUTBAND_MESSAGE_AMQP_PASSWORD"
touch "$ready"
wait "$broker"
