#!/bin/sh
# check_config.sh - every member of x2gobroker_cfg has a merge rule, and
# every number starts unset, so a new directive cannot silently lose its
# value in a <Location> merge.  TAP output for make check.
dir=$(dirname "$0")/..
hdr=$dir/mod_x2gobroker_private.h
cfg=$dir/mod_x2gobroker_config.c

# the body of the struct that ends in "} x2gobroker_cfg;"
body=$(awk '/^typedef struct {$/ { b = ""; next }
            /^} x2gobroker_cfg;$/ { printf "%s", b; exit }
            { b = b $0 "\n" }' "$hdr")
members=$(echo "$body" \
          | sed -n 's/^ *\(const \)*[a-z_0-9]* \**\([a-z_0-9]*\);.*/\2/p')
n=$(echo "$members" | wc -w)
echo "1..$((n * 2))"
i=0
for m in $members; do
    i=$((i + 1))
    if grep -q "MERGE_\(INT\|PTR\|HASH\)($m);" "$cfg"; then
        echo "ok $i - $m is merged"
    else
        echo "not ok $i - $m has no MERGE_INT/MERGE_PTR/MERGE_HASH rule"
    fi
    i=$((i + 1))
    type=$(echo "$body" \
           | sed -n "s/^ *\([a-z_0-9 ]*[a-z_0-9]\) \**$m;.*/\1/p")
    case $type in
    int|apr_off_t|apr_interval_time_t)
        if grep -q "c->$m = XGB_UNSET;" "$cfg"; then
            echo "ok $i - $m starts unset"
        else
            echo "not ok $i - $m ($type) is not set to XGB_UNSET on create"
        fi ;;
    *)
        echo "ok $i - $m is a pointer (NULL on create)" ;;
    esac
done
