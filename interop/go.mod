module github.com/amigo-ami/amigo/interop

go 1.26.0

require (
	github.com/Gurux/gxdlms-go v1.0.16
	github.com/amigo-ami/amigo v0.0.0
)

require (
	github.com/BurntSushi/toml v1.6.0 // indirect
	github.com/Gurux/gxcommon-go v1.0.16 // indirect
	github.com/mitchellh/colorstring v0.0.0-20190213212951-d06e56a500db // indirect
	github.com/rivo/uniseg v0.4.7 // indirect
	github.com/schollz/progressbar/v3 v3.19.1 // indirect
	golang.org/x/sys v0.49.0 // indirect
	golang.org/x/term v0.47.0 // indirect
	golang.org/x/text v0.43.0 // indirect
	gonum.org/v1/gonum v0.17.0 // indirect
)

replace github.com/amigo-ami/amigo => ../
