package apdu_test

import (
	"testing"

	"github.com/amigo-ami/amigo/dlms/apdu"
)

func TestAppendRejectsInconsistentAPDUs(t *testing.T) {
	for name, a := range map[string]apdu.APDU{
		"get-request-normal without attribute": &apdu.GetRequest{Choice: apdu.GetNormal},
		"get-response-normal with two results": &apdu.GetResponse{Choice: apdu.GetNormal, Results: make([]apdu.GetResult, 2)},
		"get-response data missing":            &apdu.GetResponse{Choice: apdu.GetNormal, Results: make([]apdu.GetResult, 1)},
		"set-request-normal without value":     &apdu.SetRequest{Choice: apdu.SetNormal, Attributes: make([]apdu.AttributeSelection, 1)},
		"action-request choice 9":              &apdu.ActionRequest{Choice: 9},
		"ciphered APDU with plain tag":         &apdu.Ciphered{Tag: apdu.TagGetRequest},
	} {
		if b, err := a.Append(nil); err == nil {
			t.Errorf("%s: encoded % X, want an error", name, b)
		}
	}
}
