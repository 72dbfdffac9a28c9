package tandem

import (
	"errors"
	"fmt"
)

// Error codes. The HTTP layer maps each to one status; the CLI prints the
// message plainly.
const (
	EINVALID   = "invalid"
	ENOTFOUND  = "not_found"
	ECONFLICT  = "conflict"
	EFORBIDDEN = "forbidden"
	// EUNAUTHENTICATED is a request without a valid token where one is
	// needed.
	EUNAUTHENTICATED = "unauthenticated"
	EUNAVAILABLE     = "unavailable"
	// ETOOLARGE is input larger than Tandem takes at once.
	ETOOLARGE = "too_large"
	EINTERNAL = "internal"
)

// Error is an error a user can act on: a code for programs and a message
// for people.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Message }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of the first *Error in err's chain, or a
// generic text for internal errors, whose details are logged, not shown.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// Problem is one located fault in user input: a YAML file, a CODEOWNERS
// file, a repository. It prints as "file:line: field: message".
type Problem struct {
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

func (p Problem) String() string {
	s := ""
	if p.File != "" {
		s = p.File + ":"
		if p.Line > 0 {
			s += fmt.Sprintf("%d:", p.Line)
		}
		s += " "
	}
	if p.Field != "" {
		s += p.Field + ": "
	}
	return s + p.Message
}

// Problems is a list of located faults returned together, so that a user
// fixes a whole file at once. It is an EINVALID error.
type Problems []Problem

func (ps Problems) Error() string {
	s := ""
	for i, p := range ps {
		if i > 0 {
			s += "\n"
		}
		s += p.String()
	}
	return s
}

// Err returns ps as an *Error with code EINVALID, or nil when ps is empty.
func (ps Problems) Err() error {
	if len(ps) == 0 {
		return nil
	}
	return &InvalidError{Problems: ps}
}

// InvalidError carries the located problems of rejected input.
type InvalidError struct {
	Problems Problems
}

func (e *InvalidError) Error() string { return e.Problems.Error() }

// As lets errors.As find an *Error (code EINVALID) in an *InvalidError.
func (e *InvalidError) As(target any) bool {
	if t, ok := target.(**Error); ok {
		*t = &Error{Code: EINVALID, Message: e.Problems.Error()}
		return true
	}
	return false
}

func sprintf(format string, args ...any) string {
	if len(args) == 0 {
		return format
	}
	return fmt.Sprintf(format, args...)
}

// MissingError is a name of a kind that is not in the catalog ("team",
// "codebase"…): an *Error of Code. List is the command that lists the
// names of Kind. Finding the name perhaps meant reads every name of Kind,
// so it is left to where the refusal is shown to a person (Message).
type MissingError struct {
	Code, Kind, Name, List string
}

func (e *MissingError) Error() string { return e.Message("") }

// Message returns the refusal with hint, the name perhaps meant as
// DidYouMean words it, or "".
func (e *MissingError) Message(hint string) string {
	return fmt.Sprintf("%s %q not found%s (%s lists them)", e.Kind, e.Name, hint, e.List)
}

// As lets errors.As find an *Error of e's code and message in a
// *MissingError.
func (e *MissingError) As(target any) bool {
	if t, ok := target.(**Error); ok {
		*t = &Error{Code: e.Code, Message: e.Error()}
		return true
	}
	return false
}
