// Package push is the meter's proactive reporting (IC 40 push setup): what
// a push carries (push_object_list), where it goes and how
// (send_destination_and_method), when it may go (communication_window,
// randomisation_start_interval) and how often it is tried again
// (number_of_retries, repetition_delay); the queue of pushes waiting to go;
// and the encoding of one push as a DLMS Data-Notification (package dlms)
// whose body is the structure of the listed attributes' values.
//
// # Sealing
//
// Every push leaves sealed, as the head-end's push listener (hes/push)
// requires: a Sealer wraps the Data-Notification in general-glo-ciphering
// (security suite 0, authenticated and encrypted, Green Book §9.2.7.2)
// with the meter's system title, the keys its security setup holds at
// that moment (a key_transfer applies from the next push) and the next
// value of its "push" invocation counter, taken from the meter's counter
// store (persisted with the server's counters), so a restarted meter never
// reuses an IV and a head-end never accepts a push twice. NetPusher (the
// software meter) and the fleet simulator both seal with it. The wrapper
// frame goes from the meter's wPort 1 to the head-end's wPort 1.
//
// # No goroutines
//
// A Queue is advanced by the meter's Step: Trigger schedules a push (after
// a random delay within the randomisation interval and, when windows are
// configured, not before the next window opens), Due hands out the pushes
// whose time has come, and the outcome a Pusher reports — from any
// goroutine, any time later — is picked up by the next Due, which
// reschedules a failed push after the repetition delay until its retries
// are used up. A last-gasp push (power failing) goes at once and is never
// repeated.
//
// Setup and Destination are plain data. Queue is for one owner, except
// Report, which is safe from any goroutine. Sealer and NetPusher are safe
// for concurrent use.
package push
