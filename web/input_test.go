package web

import (
	"strings"
	"testing"

	"github.com/tandem-dev/tandem"
)

func TestDecodeJSON(t *testing.T) {
	tests := []struct {
		name, body, err string
	}{
		{"documented keys", `{"files": [{"name": "a.yaml", "content": "x"}], "dir": "/d"}`, ""},
		{"an empty object", `{}`, ""},
		{"a key in another case", `{"Dir": "/d"}`, `unknown key "Dir" (the keys are dir, files)`},
		{"a nested key in another case", `{"files": [{"Name": "a.yaml"}]}`, `unknown key "Name" in files`},
		{"an unknown key", `{"dir": "/d", "owner": "x"}`, `unknown key "owner"`},
		{"a key twice", `{"dir": "/a", "dir": "/b"}`, `key "dir" is given twice`},
		{"a key twice in two cases", `{"dir": "/a", "DIR": "/b"}`, `key "DIR" is given twice`},
		{"a nested key twice", `{"files": [{"name": "a", "Name": "b"}]}`, `key "Name" is given twice`},
		{"the same key in two objects", `{"files": [{"name": "a"}, {"name": "b"}]}`, ""},
		{"two values", `{"dir": "/a"} {"dir": "/b"}`, "more than one JSON value"},
		{"not an object", `["dir"]`, "not a JSON object"},
		{"cut short", `{"dir": "/a"`, "the JSON ends before its value does"},
		{"a value of the wrong type", `{"dir": 3}`, "cannot unmarshal number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v ApplyRequest
			err := decodeJSON("body", []byte(tt.body), &v)
			switch {
			case tt.err == "" && err != nil:
				t.Fatalf("decodeJSON: %v", err)
			case tt.err == "":
				return
			case err == nil:
				t.Fatalf("decodeJSON accepted it: %+v", v)
			case !strings.Contains(err.Error(), tt.err) || tandem.ErrorCode(err) != tandem.EINVALID:
				t.Errorf("err = %s %q, want invalid %q", tandem.ErrorCode(err), err, tt.err)
			}
		})
	}
}
