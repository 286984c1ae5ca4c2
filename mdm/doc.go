// Package mdm is amigo's meter data management (ARCHITECTURE §1, §7):
// readings arrive from the head-end over the bus and flow
//
//	bus ──ingest──▶ store ──vee──▶ store (flags, estimates) ──billing──▶ store/meta (bills)
//	                       └──analytics──▶ store/meta (alarms), reports
//	                       └──export──▶ CSV, IEC 61968-9, Green Button
//
// Each step is a sub-package:
//
//   - mdm/ingest consumes the READINGS and EVENTS streams (payloads of
//     package meterdata) and acknowledges only after the durable store
//     write;
//   - mdm/vee validates, estimates and edits readings, every value
//     carrying store quality flags;
//   - mdm/tariff is the price plan (TOU calendar, ladder, standing and
//     demand charges) and mdm/billing turns readings into versioned bills;
//   - mdm/analytics recommends accuracy classes, watches load curves,
//     builds settlement series and plans fleet inspections;
//   - mdm/export writes the exchange formats and imports CSV.
//
// The sub-packages share nothing but the store and store/meta; each reads
// them through the few methods it needs. This package holds the
// end-to-end tests that run them together (AMPds: two years of a
// household through the bus, VEE and billing).
package mdm
