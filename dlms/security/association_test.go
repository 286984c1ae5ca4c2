package security_test

import (
	"bytes"
	"testing"

	"github.com/amigo-ami/amigo/dlms/apdu"
	"github.com/amigo-ami/amigo/dlms/axdr"
	"github.com/amigo-ami/amigo/dlms/internal/linktest"
)

// TestHLSGMACAssociationPieces runs the four passes of an HLS-GMAC
// association with ciphered xDLMS initiate, using only this package's
// pieces the way the client and server state machines will: what one side
// sends, the other decodes, opens and verifies.
func TestHLSGMACAssociationPieces(t *testing.T) {
	client := side(t, gbClientTitle, gbServerTitle, 1, apdu.SecurityAuthenticatedEncryption)
	server := side(t, gbServerTitle, gbClientTitle, gbServerIC, apdu.SecurityAuthenticatedEncryption)
	ctos, stoc := linktest.Unhex(t, gbCtoS), linktest.Unhex(t, gbStoC)

	// Pass 1: AARQ with CtoS and a glo-initiate-request.
	initReq := apdu.InitiateRequest{ResponseAllowed: true, DLMSVersion: apdu.DLMSVersion,
		Conformance: 0x007E1F, MaxPDUSize: 1200, DedicatedKey: linktest.Unhex(t, "00112233445566778899AABBCCDDEEFF")}
	plain, _ := initReq.Append(nil)
	ui, err := client.Protect(nil, plain, false)
	if err != nil {
		t.Fatal(err)
	}
	aarq := apdu.AARQ{Context: apdu.ContextLNCiphered, CallingAPTitle: linktest.Unhex(t, gbClientTitle),
		SenderACSERequirements: true, HasMechanism: true, Mechanism: apdu.MechanismHighGMAC,
		CallingAuthValue: ctos, UserInformation: ui}
	wire, _ := aarq.Append(nil)

	var gotAARQ apdu.AARQ
	if err := gotAARQ.Decode(wire); err != nil {
		t.Fatal(err)
	}
	opened, err := server.Open(nil, gotAARQ.UserInformation)
	if err != nil {
		t.Fatalf("server opens user-information: %v", err)
	}
	var gotInit apdu.InitiateRequest
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
	initResp := apdu.InitiateResponse{DLMSVersion: 6, Conformance: 0x00501F, MaxPDUSize: 500, VAAName: apdu.VAANameLN}
	plain, _ = initResp.Append(nil)
	ui, _ = server.Protect(nil, plain, false)
	aare := apdu.AARE{Context: apdu.ContextLNCiphered, Result: apdu.Accepted, DiagnosticSource: apdu.DiagnosticUser,
		Diagnostic: apdu.DiagAuthenticationRequired, RespondingAPTitle: linktest.Unhex(t, gbServerTitle),
		ResponderACSERequirements: true, HasMechanism: true, Mechanism: apdu.MechanismHighGMAC,
		RespondingAuthValue: stoc, UserInformation: ui}
	wire, _ = aare.Append(nil)
	var gotAARE apdu.AARE
	if err := gotAARE.Decode(wire); err != nil {
		t.Fatal(err)
	}
	if _, err := client.Open(nil, gotAARE.UserInformation); err != nil {
		t.Fatalf("client opens the AARE's user-information: %v", err)
	}

	// Pass 3: the client sends f(StoC) in reply_to_HLS_authentication,
	// ded-ciphered.
	fStoC, _ := client.HLSResponse(nil, gotAARE.RespondingAuthValue)
	act := apdu.ActionRequest{Choice: apdu.ActionNormal, InvokeID: 0xC1,
		Methods: []apdu.MethodDescriptor{{ClassID: 15, Instance: apdu.InstanceID{0, 0, 40, 0, 0, 255}, Method: 1}},
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
	var gotAct apdu.ActionRequest
	if err := gotAct.Decode(opened); err != nil {
		t.Fatal(err)
	}
	if err := server.VerifyHLS(stoc, gotAct.Params[0][0].Bytes); err != nil {
		t.Fatalf("server verifies f(StoC): %v", err)
	}

	// Pass 4: the server answers f(CtoS); the client verifies it.
	fCtoS, _ := server.HLSResponse(nil, gotAARQ.CallingAuthValue)
	resp := apdu.ActionResponse{Choice: apdu.ActionResponseNormal, InvokeID: 0xC1, Results: []apdu.ActionOutcome{{
		Result: apdu.ActionSuccess, HasReturn: true, Return: apdu.GetResult{Data: []axdr.Value{axdr.OctetString(fCtoS)}}}}}
	plain, _ = resp.Append(nil)
	wire, _ = server.Protect(nil, plain, true)
	opened, err = client.Open(nil, wire)
	if err != nil {
		t.Fatal(err)
	}
	var gotResp apdu.ActionResponse
	if err := gotResp.Decode(opened); err != nil {
		t.Fatal(err)
	}
	if err := client.VerifyHLS(ctos, gotResp.Results[0].Return.Data[0].Bytes); err != nil {
		t.Fatalf("client verifies f(CtoS): %v", err)
	}
	// The server's counters: 01234567 protected the AARE's initiate
	// response, 01234568 went into f(CtoS), 01234569 into the APDU.
	if !bytes.Equal(fCtoS[:5], linktest.Unhex(t, "10 01234568")) || !bytes.Equal(wire[3:7], linktest.Unhex(t, "01234569")) {
		t.Errorf("server counters: f(CtoS) header % X, APDU header % X", fCtoS[:5], wire[:7])
	}
}
