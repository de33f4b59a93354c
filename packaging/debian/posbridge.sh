#!/bin/sh
# /usr/bin/posbridge: runs posbridge on the Node.js runtime the package brings (the system's Node does not matter).
exec /usr/lib/posbridge/node/bin/node /usr/lib/posbridge/dist/bin/posbridge.js "$@"
