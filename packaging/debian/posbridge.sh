#!/bin/sh
# /usr/bin/posbridge: runs posbridge on the Node.js runtime the package brings (the system's Node does not matter).
# The package's places are the defaults (each can still be set): the configuration directory (config.json, the backup
# key) and the data directory the service uses, so `posbridge backup now`, `report` or `init` find them.
: "${POSBRIDGE_CONFIG_DIR:=/etc/posbridge}"
: "${POSBRIDGE_DATA_DIR:=/var/lib/posbridge}"
export POSBRIDGE_CONFIG_DIR POSBRIDGE_DATA_DIR
exec /usr/lib/posbridge/node/bin/node /usr/lib/posbridge/dist/bin/posbridge.js "$@"
