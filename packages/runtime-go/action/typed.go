package action

import (
	"context"
	"encoding/json"
)

// Typed adapts a function taking decoded params to a [Handler]: params that do not decode into
// P become the application error {"error": <the decoding error>}.
func Typed[P, R any](run func(ctx context.Context, params P) (R, error)) Handler {
	return func(ctx context.Context, raw json.RawMessage) (any, error) {
		var params P
		if err := json.Unmarshal(raw, &params); err != nil {
			return nil, err
		}
		return run(ctx, params)
	}
}
