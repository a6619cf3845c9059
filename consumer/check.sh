#!/usr/bin/env bash
# Builds this consumer project against the Kiln artifacts in the local Maven repository (so run
# `mvn install` in Kiln first; ./kiln test does both) and runs the README's QuickStart three ways:
#   1. class path, with the README's flags;
#   2. module path (Kiln's jars as modules, QuickStart in the unnamed module), README's flags;
#   3. module path without --enable-native-access under --illegal-native-access=deny: it must still
#      train (on the CPU) and the CUDA backend must name the option that fixes it.
# Each run must reach a loss below 0.35 at step 200 (chance level for two balanced classes is
# ln 2 = 0.693). Prints one line per run; exits non-zero at the first failure, with its output.
# First checks that each library artifact was installed with its -sources.jar and -javadoc.jar
# beside it, in the local repository the build used (found from the resolved class path).
# Uses `java` from JAVA_HOME (25 or newer) and `mvn` from PATH (MVN overrides the command).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
read -r -a mvn <<< "${MVN:-mvn -B -ntp -Dstyle.color=never}"
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
log="$here/target/check.log"

mkdir -p "$here/target"
"${mvn[@]}" -q -f "$here/pom.xml" package dependency:build-classpath \
    -Dmdep.outputFile="$here/target/kiln.classpath" -Dmdep.includeScope=runtime > "$log" 2>&1 \
  || { cat "$log"; echo "consumer: FAILED to build consumer/ against the installed Kiln artifacts (mvn install first)"; exit 1; }
deps=$(cat "$here/target/kiln.classpath")
jar=${JAVA_HOME:+$JAVA_HOME/bin/}jar

# The resolved class path holds each artifact's main jar in the local repository; the sources and
# javadoc jars lie beside it. Each javadoc jar must hold pages (engine-api's the Tensor page).
check_attached() { # artifact, a page the javadoc jar must contain (at its root or in its module's folder)
  local artifact=$1 page=$2 main base kind f list
  main=$(tr ':' '\n' < "$here/target/kiln.classpath" | grep -m1 "/dev/kiln/$artifact/[^/]*/$artifact-[^/]*\.jar$" || true)
  [ -n "$main" ] || { echo "consumer: FAILED: dev.kiln:$artifact is not on the consumer's resolved class path"; exit 1; }
  base=${main%.jar}
  for kind in sources javadoc; do
    f="$base-$kind.jar"
    [ -s "$f" ] || { echo "consumer: FAILED: dev.kiln:$artifact was installed without its $kind jar (no $f); run mvn install without skipping it"; exit 1; }
  done
  # Listings are read whole first: grep -q would stop early and, under pipefail, fail the pipe.
  list=$("$jar" tf "$base-sources.jar")
  grep -q '\.java$' <<< "$list" || { echo "consumer: FAILED: $base-sources.jar holds no .java files"; exit 1; }
  list=$("$jar" tf "$base-javadoc.jar")
  grep -qE "^([^/]+/)?$page\$" <<< "$list" || { echo "consumer: FAILED: $base-javadoc.jar has no ${page//\\/}"; exit 1; }
}
check_attached engine-api 'dev/kiln/tensor/Tensor\.html'
check_attached engine-cpu index\.html
check_attached kernels index\.html
check_attached engine-cuda index\.html
echo "consumer: engine-api, engine-cpu, kernels and engine-cuda are installed with sources and javadoc jars"
app="$here/target/classes"
main=com.example.QuickStart

run() { # name, expected text in the output (or ""), java options...
  local name=$1 expect=$2 out loss; shift 2
  if ! out=$("$java" "$@" 2>&1); then
    printf '%s\n' "$out"; echo "consumer: FAILED ($name): QuickStart exited with an error"; exit 1
  fi
  loss=$(sed -n 's/^step 200: loss \([0-9.]*\)$/\1/p' <<< "$out")
  if [ -z "$loss" ] || ! awk -v l="$loss" 'BEGIN { exit !(l < 0.35) }'; then
    printf '%s\n' "$out"; echo "consumer: FAILED ($name): expected 'step 200: loss' below 0.35, got '${loss:-no such line}'"; exit 1
  fi
  if [ -n "$expect" ] && ! grep -qF -- "$expect" <<< "$out"; then
    printf '%s\n' "$out"; echo "consumer: FAILED ($name): the output does not mention '$expect'"; exit 1
  fi
  if [ -z "$expect" ] && grep -q "restricted method" <<< "$out"; then
    printf '%s\n' "$out"; echo "consumer: FAILED ($name): the JDK warned about native access despite the README's flags"; exit 1
  fi
  echo "consumer: $name: step 200 loss $loss"
}

run "class path" "" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp "$app:$deps" "$main"
run "module path" "" --add-modules jdk.incubator.vector --enable-native-access=dev.kiln.cuda \
    --module-path "$deps" --add-modules dev.kiln -cp "$app" "$main"
run "module path, native access denied" "--enable-native-access=dev.kiln.cuda" --illegal-native-access=deny \
    --module-path "$deps" --add-modules dev.kiln -cp "$app" "$main"
echo "consumer: the README's program built against the installed artifacts and trained in all 3 runs"
