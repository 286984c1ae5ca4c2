package dlms_test

import (
	"testing"

	"github.com/amigo-ami/amigo/dlms"
)

func TestAppendRejectsInconsistentAPDUs(t *testing.T) {
	for name, a := range map[string]dlms.APDU{
		"get-request-normal without attribute": &dlms.GetRequest{Choice: dlms.GetNormal},
		"get-response-normal with two results": &dlms.GetResponse{Choice: dlms.GetNormal, Results: make([]dlms.GetResult, 2)},
		"get-response data missing":            &dlms.GetResponse{Choice: dlms.GetNormal, Results: make([]dlms.GetResult, 1)},
		"set-request-normal without value":     &dlms.SetRequest{Choice: dlms.SetNormal, Attributes: make([]dlms.AttributeSelection, 1)},
		"action-request choice 9":              &dlms.ActionRequest{Choice: 9},
		"ciphered APDU with plain tag":         &dlms.CipheredAPDU{Tag: dlms.TagGetRequest},
	} {
		if b, err := a.Append(nil); err == nil {
			t.Errorf("%s: encoded % X, want an error", name, b)
		}
	}
}
