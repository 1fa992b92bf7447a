package owkit

// Sentinel ends every activation's logs, on stdout and on stderr; the invoker waits for it.
const Sentinel = "XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX"

// DefaultBodyLimitBytes is the largest request body accepted, inclusive: init code can be
// 48 MB of base64 inside JSON.
const DefaultBodyLimitBytes = 64 << 20

// The protocol's error strings, worded exactly as every owkit server words them.
const (
	msgNotFound            = "Not found."
	msgMethodNotAllowed    = "Method not allowed."
	msgBodyTooLarge        = "Request body too large."
	msgInvalidJSON         = "Request body is not valid JSON."
	msgReinit              = "Cannot initialize the action more than once."
	msgNotDictionaryArg    = "The action did not receive a dictionary or array as an argument."
	msgNotDictionaryResult = "The action did not return a dictionary or array."
	msgInitFailedPrefix    = "Initialization has failed due to: "
)
