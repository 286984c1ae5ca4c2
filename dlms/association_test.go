package dlms_test

import (
	"bytes"
	"testing"

	"github.com/amigo-ami/amigo/dlms"
	"github.com/amigo-ami/amigo/dlms/axdr"
)

// TestHLSGMACAssociationPieces runs the four passes of an HLS-GMAC
// association with ciphered xDLMS initiate, using only this package's
// pieces the way the client and server state machines will: what one side
// sends, the other decodes, opens and verifies.
func TestHLSGMACAssociationPieces(t *testing.T) {
	client := side(t, gbClientTitle, gbServerTitle, 1, dlms.SecurityAuthenticatedEncryption)
	server := side(t, gbServerTitle, gbClientTitle, gbServerIC, dlms.SecurityAuthenticatedEncryption)
	ctos, stoc := unhex(t, gbCtoS), unhex(t, gbStoC)

	// Pass 1: AARQ with CtoS and a glo-initiate-request.
	initReq := dlms.InitiateRequest{ResponseAllowed: true, DLMSVersion: dlms.DLMSVersion,
		Conformance: 0x007E1F, MaxPDUSize: 1200, DedicatedKey: unhex(t, "00112233445566778899AABBCCDDEEFF")}
	plain, _ := initReq.Append(nil)
	ui, err := client.Protect(nil, plain, false)
	if err != nil {
		t.Fatal(err)
	}
	aarq := dlms.AARQ{Context: dlms.ContextLNCiphered, CallingAPTitle: unhex(t, gbClientTitle),
		SenderACSERequirements: true, HasMechanism: true, Mechanism: dlms.MechanismHighGMAC,
		CallingAuthValue: ctos, UserInformation: ui}
	wire, _ := aarq.Append(nil)

	var gotAARQ dlms.AARQ
	if err := gotAARQ.Decode(wire); err != nil {
		t.Fatal(err)
	}
	opened, err := server.Open(nil, gotAARQ.UserInformation)
	if err != nil {
		t.Fatalf("server opens user-information: %v", err)
	}
	var gotInit dlms.InitiateRequest
	if err := gotInit.Decode(opened); err != nil || gotInit.MaxPDUSize != 1200 {
		t.Fatalf("InitiateRequest %+v, %v", gotInit, err)
	}
	if err := server.SetDedicatedKey(gotInit.DedicatedKey); err != nil {
		t.Fatal(err)
	}
	if err := client.SetDedicatedKey(initReq.DedicatedKey); err != nil {
		t.Fatal(err)
	}

	// Pass 2: AARE, authentication required, StoC, glo-initiate-response.
	initResp := dlms.InitiateResponse{DLMSVersion: 6, Conformance: 0x00501F, MaxPDUSize: 500, VAAName: dlms.VAANameLN}
	plain, _ = initResp.Append(nil)
	ui, _ = server.Protect(nil, plain, false)
	aare := dlms.AARE{Context: dlms.ContextLNCiphered, Result: dlms.Accepted, DiagnosticSource: dlms.DiagnosticUser,
		Diagnostic: dlms.DiagAuthenticationRequired, RespondingAPTitle: unhex(t, gbServerTitle),
		ResponderACSERequirements: true, HasMechanism: true, Mechanism: dlms.MechanismHighGMAC,
		RespondingAuthValue: stoc, UserInformation: ui}
	wire, _ = aare.Append(nil)
	var gotAARE dlms.AARE
	if err := gotAARE.Decode(wire); err != nil {
		t.Fatal(err)
	}
	if _, err := client.Open(nil, gotAARE.UserInformation); err != nil {
		t.Fatalf("client opens the AARE's user-information: %v", err)
	}

	// Pass 3: the client sends f(StoC) in reply_to_HLS_authentication,
	// ded-ciphered.
	fStoC, _ := client.HLSResponse(nil, gotAARE.RespondingAuthValue)
	act := dlms.ActionRequest{Choice: dlms.ActionNormal, InvokeID: 0xC1,
		Methods: []dlms.MethodDescriptor{{ClassID: 15, Instance: dlms.InstanceID{0, 0, 40, 0, 0, 255}, Method: 1}},
		Params:  [][]axdr.Value{{axdr.OctetString(fStoC)}}}
	plain, _ = act.Append(nil)
	wire, _ = client.Protect(nil, plain, true)
	if wire[0] != 0xD3 {
		t.Errorf("ded-action-request tag 0x%02X, want 0xD3", wire[0])
	}
	opened, err = server.Open(nil, wire)
	if err != nil {
		t.Fatal(err)
	}
	var gotAct dlms.ActionRequest
	if err := gotAct.Decode(opened); err != nil {
		t.Fatal(err)
	}
	if err := server.VerifyHLS(stoc, gotAct.Params[0][0].Bytes); err != nil {
		t.Fatalf("server verifies f(StoC): %v", err)
	}

	// Pass 4: the server answers f(CtoS); the client verifies it.
	fCtoS, _ := server.HLSResponse(nil, gotAARQ.CallingAuthValue)
	resp := dlms.ActionResponse{Choice: dlms.ActionResponseNormal, InvokeID: 0xC1, Results: []dlms.ActionOutcome{{
		Result: dlms.ActionSuccess, HasReturn: true, Return: dlms.GetResult{Data: []axdr.Value{axdr.OctetString(fCtoS)}}}}}
	plain, _ = resp.Append(nil)
	wire, _ = server.Protect(nil, plain, true)
	opened, err = client.Open(nil, wire)
	if err != nil {
		t.Fatal(err)
	}
	var gotResp dlms.ActionResponse
	if err := gotResp.Decode(opened); err != nil {
		t.Fatal(err)
	}
	if err := client.VerifyHLS(ctos, gotResp.Results[0].Return.Data[0].Bytes); err != nil {
		t.Fatalf("client verifies f(CtoS): %v", err)
	}
	// The server's counters: 01234567 protected the AARE's initiate
	// response, 01234568 went into f(CtoS), 01234569 into the APDU.
	if !bytes.Equal(fCtoS[:5], unhex(t, "10 01234568")) || !bytes.Equal(wire[3:7], unhex(t, "01234569")) {
		t.Errorf("server counters: f(CtoS) header % X, APDU header % X", fCtoS[:5], wire[:7])
	}
}
