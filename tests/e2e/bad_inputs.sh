#!/usr/bin/env bash
# tests/e2e/bad_inputs.sh: hostile and malformed input through `vigil classify`.
#
# Every case writes one bad payload followed by a good one (a key=value line for the
# quickstart app:auth schema) and checks that (1) vigil does not crash, (2) stderr carries
# the expected, specific message for the bad payload, and (3) the good payload after it is
# still classified: the run goes on with the next record.
#
# usage: bad_inputs.sh VIGIL CONF_DIR
set -uo pipefail
vigil=$1
conf=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vgl-bad.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
good='time=9 level=info user=after action=ok src_ip=9.9.9.9 success=true'
pass=0 fail=0

# check NAME EXPECTED_STDERR [EXPECTED_EXIT] [NO_GOOD]: runs vigil on $tmp/in
check() {
    local name=$1 want=$2 want_exit=${3:-1} no_good=${4:-}
    "$vigil" classify --no-progress --config "$conf" --resource logs "$tmp/in" \
        > "$tmp/out" 2> "$tmp/err"
    local rc=$?
    local ok=1
    if [[ $rc -ne $want_exit ]]; then
        echo "FAIL $name: exit $rc, expected $want_exit"; ok=0
    fi
    if [[ $rc -ge 128 ]]; then
        echo "FAIL $name: killed by signal $((rc - 128))"; ok=0
    fi
    if ! grep -qF -- "$want" "$tmp/err"; then
        echo "FAIL $name: stderr lacks: $want"; ok=0
    fi
    if [[ -z $no_good ]] && ! grep -qF '"user":"after"' "$tmp/out"; then
        echo "FAIL $name: the good record after the bad one was not classified"; ok=0
    fi
    if [[ $ok -eq 1 ]]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "--- stderr:"; head -c 2000 "$tmp/err"; echo
    fi
}

# bad NAME PAYLOAD EXPECTED: payload given as printf format (so \xNN works)
bad() {
    printf -- "$2" > "$tmp/in"
    printf '\n%s\n' "$good" >> "$tmp/in"
    check "$1" "$3"
}

nomatch='"reason":"no schema matched"'
bad truncated_json_object '{"version":"0","id":' 'not json: invalid json at byte 20: expected a value, found end of input'
bad trailing_comma '{"a":1,}' "invalid json at byte 7: expected"
bad single_quoted_json "{'a': 1}" "to start an object key, found ''a': 1}'"
bad unterminated_string '{"a":"abc' "to close the string, found end of input"
bad bad_escape '{"a":"\\q"}' 'expected one of'
bad short_unicode_escape '{"a":"\\u12"}' 'expected 4 hex digits after'
bad raw_tab_in_string '{"a":"x\ty"}' 'no control character inside a string'
bad raw_nul_in_string '{"a":"x\x00y"}' 'no control character inside a string'
bad invalid_utf8_in_json '{"a":"\xff"}' 'invalid utf-8 at byte 6: byte 0xff does not start a valid sequence'
bad invalid_utf8_text '\xc3\x28 hello world' 'payload is not valid utf-8 (byte 0)'
bad overlong_utf8 '{"a":"\xc0\xaf"}' 'invalid utf-8 at byte 6'
bad utf8_surrogate '{"a":"\xed\xa0\x80"}' 'invalid utf-8 at byte 6'
bad truncated_utf8_sequence '{"a":"\xe2\x82"}' 'invalid utf-8'
bad json_number_line '12345' 'payload is json number, not text'
bad json_null_line 'null' 'payload is json null, not text'
bad json_true_line 'true' 'payload is json boolean, not text'
bad json_array_line '[1,2,3]' 'expected an object, found array'
bad json_string_line '"just a string"' 'expected an object, found string'
bad huge_exponent '1e999999' 'payload is json number'
bad wrong_list_type '{"version":"0","id":"1","detail-type":"x","source":"s","account":"1","time":"t","region":"r","resources":"not-a-list","detail":{}}' '$.resources: expected a list, found string'
bad int_of_text '{"name":"n","hostIdentifier":"h","calendarTime":"c","unixTime":"abc","columns":{},"action":"added"}' "invalid literal for int() with base 10: 'abc'"
bad int_of_list '{"name":"n","hostIdentifier":"h","calendarTime":"c","unixTime":[1],"columns":{},"action":"added"}' 'unixTime'
bad extra_key '{"name":"n","hostIdentifier":"h","calendarTime":"c","unixTime":1,"columns":{},"action":"added","surprise":1}' "key 'surprise' is not in the schema"
bad missing_key '{"name":"n","calendarTime":"c","unixTime":1,"columns":{},"action":"added"}' "required key 'hostIdentifier' is missing"
bad nested_null_detail '{"version":"0","id":"1","detail-type":"x","source":"s","account":"1","time":"t","region":"r","resources":[],"detail":null,"x":1}' "key 'x' is not in the schema"
bad csv_too_few_columns '2 123456789012 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 1 2 ACCEPT' 'expected 14 csv fields, got 13'
bad csv_too_many_columns '2 123456789012 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 1 2 ACCEPT OK EXTRA' 'expected 14 csv fields, got 15'
bad csv_bad_integer '2 123456789012 eni-1 10.0.0.1 10.0.0.2 abc 2 6 1 1 1 2 ACCEPT OK' "\$.srcport: invalid literal for int() with base 10: 'abc'"
bad kv_missing_field 'time=1 level=info user=x action=y src_ip=z' 'kv: expected 6 kv fields, got 5'
bad kv_field_without_separator 'time=1 level=info user=x action=y src_ip=z success' 'app:auth'
bad syslog_single_digit_day 'Jan  5 10:00:00 host sshd[1]: hi' 'not a syslog line'
bad syslog_dotted_host 'Jan 15 10:00:00 host.example.com sshd[1]: hi' 'not a syslog line'
bad syslog_other_program 'Jan 15 10:00:00 host cron[1]: job' 'log_patterns did not match'
bad bom_then_garbage '\xef\xbb\xbfnot json' 'not json'
bad lone_surrogate_escape '{"a":"\\ud800"}' "key 'a' is not in the schema"
bad very_long_key "{\"$(head -c 100000 /dev/zero | tr '\0' k)\":1}" 'is not in the schema'
bad deep_but_allowed "$(printf '%.0s[' $(seq 500))$(printf '%.0s]' $(seq 500))" 'expected an object, found array'

# Generated payloads too large to write inline.
{ head -c 100000 /dev/zero | tr '\0' '['; head -c 100000 /dev/zero | tr '\0' ']'; printf '\n%s\n' "$good"; } > "$tmp/in"
check nesting_100k_deep_arrays 'json nested deeper than 512 levels'
{ for _ in $(seq 100000); do printf '{"a":'; done; printf '1'; head -c 100000 /dev/zero | tr '\0' '}'; printf '\n%s\n' "$good"; } > "$tmp/in"
check nesting_100k_deep_objects 'json nested deeper than 512 levels'
{ head -c 100000000 /dev/zero | tr '\0' 'a'; printf '\n%s\n' "$good"; } > "$tmp/in"
check line_of_100MB 'payload of 100000000 bytes is over max_record_bytes (1048576)'
{ printf '{"a":"'; head -c 1100000 /dev/zero | tr '\0' 'b'; printf '"}\n%s\n' "$good"; } > "$tmp/in"
check line_just_over_the_cap 'is over max_record_bytes'
{ head -c 65536 /dev/urandom; printf '\n%s\n' "$good"; } > "$tmp/in"
check binary_data "$nomatch"
{ printf '%s,' $(seq 10000); printf 'x\n%s\n' "$good"; } > "$tmp/in"
check csv_10000_columns 'expected 14 csv fields, got 1'
{ printf '\n\n   \n%s\n' "$good"; } > "$tmp/in"
check blank_lines_are_skipped 'blank lines skipped                      3' 0
{ printf '%s\r\n' "$good"; } > "$tmp/in"
check crlf_line_endings 'app:auth                                 1' 0
: > "$tmp/in"
check empty_input 'classified 0 records from 0 payloads' 0 no_good
{ printf '%s\n' "$good" | gzip; printf 'garbage after the gzip member'; } > "$tmp/in"
check gzip_trailing_garbage "$tmp/in" 4
{ for i in $(seq 2000); do printf 'time=%s level=info user=u%s action=a%s src_ip=10.0.%s.1 success=true\n' $i $((i * 7919 % 1000)) $((i * 104729 % 977)) $((i % 250)); done; } | gzip > "$tmp/full.gz"
head -c $(( $(stat -c %s "$tmp/full.gz") / 2 )) "$tmp/full.gz" > "$tmp/in"
check gzip_truncated "$tmp/in" 4 no_good
{ for i in $(seq 20000); do printf 'bad line %s\n' "$i"; done; printf '%s\n' "$good"; } > "$tmp/in"
check flood_of_bad_lines 'unmatched                                20000'

echo "bad inputs: $pass passed, $fail failed"
[[ $fail -eq 0 ]]
