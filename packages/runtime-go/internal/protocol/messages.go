package protocol

// Sentinel ends every activation's logs, on stdout and on stderr; the invoker waits for it.
const Sentinel = "XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX"

// DefaultBodyLimitBytes is the largest request body accepted, inclusive: init code can be
// 48 MB of base64 inside JSON.
const DefaultBodyLimitBytes = 64 << 20

// The protocol's error strings, worded exactly as every owkit server words them.
const (
	MsgNotFound            = "Not found."
	MsgMethodNotAllowed    = "Method not allowed."
	MsgBodyTooLarge        = "Request body too large."
	MsgInvalidJSON         = "Request body is not valid JSON."
	MsgReinit              = "Cannot initialize the action more than once."
	MsgNotDictionaryArg    = "The action did not receive a dictionary or array as an argument."
	MsgNotDictionaryResult = "The action did not return a dictionary or array."
	MsgInitFailedPrefix    = "Initialization has failed due to: "
)
