#!/usr/bin/env bash
# Regenerates the *_pb2.py modules from the .proto files here (needs grpcio-tools).
#   bash arroyo/proto/generate.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
python -m grpc_tools.protoc -I . --python_out=. arroyo/proto/*.proto
