package extract

import (
	"context"
	"io"

	"github.com/visitarchive/visitarchive"
)

// ForArchive returns x as the Archive's visitarchive.TextExtractor, which
// the extraction jobs call.
func ForArchive(x *Extractor) visitarchive.TextExtractor { return archiveExtractor{x} }

type archiveExtractor struct{ x *Extractor }

func (a archiveExtractor) Extract(ctx context.Context, mediaType string, r io.Reader, progress func(done, total int)) (visitarchive.ExtractResult, error) {
	res, err := a.x.Extract(ctx, mediaType, r, progress)
	if err != nil {
		return visitarchive.ExtractResult{}, err
	}
	return visitarchive.ExtractResult{State: textState(res.State), Reason: res.Reason, Method: string(res.Method), Pages: res.Pages}, nil
}

// textState is the visitarchive.TextState of s.
func textState(s State) visitarchive.TextState {
	switch s {
	case Done:
		return visitarchive.TextDone
	case Unavailable:
		return visitarchive.TextUnavailable
	}
	return visitarchive.TextFailed
}
