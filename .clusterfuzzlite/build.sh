#!/bin/bash -eu
# ClusterFuzzLite builds with the project's OSS-Fuzz script.
exec "$SRC/virtq/ci/oss-fuzz/build.sh"
