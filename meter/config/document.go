package config

// document is meter.toml as decoded; convert.go turns it into a File. See
// example.toml for what each key means.
type document struct {
	Serial string `toml:"serial"`
	Start  string `toml:"start"`
	Listen string `toml:"listen"`
	HDLC   bool   `toml:"hdlc"`

	Security struct {
		EncryptionKey     hexBytes `toml:"encryption_key"`
		AuthenticationKey hexBytes `toml:"authentication_key"`
		ClientTitle       hexBytes `toml:"client_system_title"`
		Password          string   `toml:"password"`
		MasterKey         hexBytes `toml:"master_key"`
	} `toml:"security"`

	Clock struct {
		TimeZone     int16   `toml:"time_zone"`
		DST          bool    `toml:"dst"`
		DSTBegin     string  `toml:"dst_begin"`
		DSTEnd       string  `toml:"dst_end"`
		DSTDeviation int8    `toml:"dst_deviation"`
		DriftPPM     float64 `toml:"drift_ppm"`
	} `toml:"clock"`

	Tariff struct {
		Name       string      `toml:"calendar"`
		Seasons    []season    `toml:"season"`
		Weeks      []week      `toml:"week"`
		Days       []day       `toml:"day"`
		SpecialDay []specialDy `toml:"special_day"`
		Prices     []float64   `toml:"prices"`
		Tiers      []tier      `toml:"tier"`
		Billing    []string    `toml:"billing"`
	} `toml:"tariff"`

	Demand struct {
		Period  duration `toml:"period"`
		Periods int      `toml:"periods"`
	} `toml:"demand"`

	Profiles struct {
		Load15  profileDoc `toml:"load15"`
		Load1   profileDoc `toml:"load1"`
		Daily   int        `toml:"daily"`
		Monthly int        `toml:"monthly"`
		Events  int        `toml:"events"`
	} `toml:"profiles"`

	Prepay *struct {
		Mode               string   `toml:"mode"`
		Currency           string   `toml:"currency"`
		Scale              int8     `toml:"scale"`
		LowCredit          float64  `toml:"low_credit"`
		Emergency          float64  `toml:"emergency"`
		EmergencyThreshold float64  `toml:"emergency_threshold"`
		EmergencyAuto      bool     `toml:"emergency_auto"`
		StandingPerDay     float64  `toml:"standing_per_day"`
		TokenKey           hexBytes `toml:"token_key"`
	} `toml:"prepay"`

	Disconnect struct {
		Mode uint8 `toml:"mode"`
	} `toml:"disconnect"`

	Limiter struct {
		Normal    int64    `toml:"normal_w"`
		Emergency int64    `toml:"emergency_w"`
		MinOver   duration `toml:"min_over"`
		MinUnder  duration `toml:"min_under"`
	} `toml:"limiter"`

	Push []pushDoc `toml:"push"`

	Quality struct {
		NominalVoltage float64  `toml:"nominal_voltage"`
		Sag            float64  `toml:"sag"`
		Swell          float64  `toml:"swell"`
		ReverseW       float64  `toml:"reverse_w"`
		SelfCheck      float64  `toml:"self_check"`
		MaxTerminalC   float64  `toml:"max_terminal_c"`
		Grace          duration `toml:"grace"`
	} `toml:"quality"`

	Firmware struct {
		PublicKey hexBytes `toml:"public_key"`
		BlockSize uint32   `toml:"block_size"`
		MaxSize   uint32   `toml:"max_size"`
	} `toml:"firmware"`

	Modules struct {
		NILM nilmDoc `toml:"nilm"`
	} `toml:"modules"`
}

type nilmDoc struct {
	Enabled             bool     `toml:"enabled"`
	Library             string   `toml:"library"`
	PublicKey           string   `toml:"public_key"`
	Push                string   `toml:"push"`
	PushRetries         *uint8   `toml:"push_retries"`
	PushRepetitionDelay duration `toml:"push_repetition_delay"`
	LogCapacity         int      `toml:"log_capacity"`
	MinStepW            float64  `toml:"min_step_w"`
}

type season struct {
	Name  string `toml:"name"`
	Start string `toml:"start"`
	Week  string `toml:"week"`
}

type week struct {
	Name string  `toml:"name"`
	Days []uint8 `toml:"days"`
}

type day struct {
	ID      uint8    `toml:"id"`
	Actions []action `toml:"actions"`
}

type action struct {
	Start  string `toml:"start"`
	Tariff uint16 `toml:"tariff"`
}

type specialDy struct {
	Index uint16 `toml:"index"`
	Date  string `toml:"date"`
	Day   uint8  `toml:"day"`
}

type tier struct {
	UpToKWh float64 `toml:"up_to_kwh"`
	Price   float64 `toml:"price"`
}

type profileDoc struct {
	Period   duration `toml:"period"`
	Capacity int      `toml:"capacity"`
}

type pushDoc struct {
	Name            string   `toml:"name"`
	Destination     string   `toml:"destination"`
	Transport       string   `toml:"transport"`
	Objects         []string `toml:"objects"`
	Schedule        []string `toml:"schedule"`
	OnEvents        []uint16 `toml:"on_events"`
	LastGasp        bool     `toml:"last_gasp"`
	Randomisation   duration `toml:"randomisation"`
	Retries         uint8    `toml:"retries"`
	RepetitionDelay duration `toml:"repetition_delay"`
	Windows         []string `toml:"windows"`
}
