package emulator

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"
)

// Server is the emulator: an http.Handler answering like HubSpot, plus
// inspection of what clients wrote. All methods are safe for concurrent use.
type Server struct {
	cfg     Config
	cat     *catalog
	now     func() time.Time
	log     *zap.Logger
	token   atomic.Pointer[string]
	created string // createdAt of every seeded record, formatted

	mu    sync.Mutex // guards the fields below
	lim   limiter
	st    store
	rng   *rand.Rand
	stats Stats

	bufPool sync.Pool // *buffers

	closing   chan struct{} // closed by Close; ends slow answers
	closeOnce sync.Once

	srvMu     sync.Mutex // guards srv and served
	srv       *http.Server
	served    chan struct{} // closed when the serving goroutine returns
	serveErr  error
	everStart bool
}

// New checks cfg and builds a Server. It starts nothing: use the Server as
// an http.Handler, or call Start.
func New(cfg Config) (*Server, error) {
	if cfg.Token == "" {
		return nil, errors.New("new emulator: a token is required")
	}
	if cfg.Rate < 0 || cfg.Daily < 0 || cfg.SeedIDs < 0 || cfg.Window < 0 || cfg.PortalID < 0 {
		return nil, errors.New("new emulator: Rate, Window, Daily, SeedIDs and PortalID must not be negative")
	}
	if cfg.PortalID == 0 {
		cfg.PortalID = randomPortalID()
	}
	if cfg.ResultOrder < Shuffle || cfg.ResultOrder > InputOrder {
		return nil, fmt.Errorf("new emulator: unknown result order %d", int(cfg.ResultOrder))
	}
	if err := cfg.Faults.validate(); err != nil {
		return nil, fmt.Errorf("new emulator: %w", err)
	}
	if cfg.Window == 0 {
		cfg.Window = 10 * time.Second
	}
	if cfg.UniqueFormat == "" {
		cfg.UniqueFormat = "EXT-%d"
	}
	uf, err := parseUniqueFormat(cfg.UniqueFormat)
	if err != nil {
		return nil, fmt.Errorf("new emulator: %w", err)
	}
	if cfg.Schema == nil {
		cfg.Schema = DefaultSchema()
	}
	cat, err := compileSchema(cfg.Schema)
	if err != nil {
		return nil, fmt.Errorf("new emulator: %w", err)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = zap.NewNop()
	}
	s := &Server{
		cfg:     cfg,
		cat:     cat,
		now:     cfg.Now,
		log:     cfg.Log,
		created: formatTime(cfg.Now().Add(-24 * time.Hour)),
		lim:     limiter{rate: cfg.Rate, window: cfg.Window, daily: cfg.Daily, statWindow: cfg.Window},
		st:      store{seedIDs: cfg.SeedIDs, seedFmt: uf, objects: make(map[*objType]*objectStore)},
		rng:     rand.New(rand.NewPCG(uint64(cfg.Seed), 0x68756273796e63)), // "hubsync"
		stats:   Stats{ByStatus: make(map[int]int)},
		closing: make(chan struct{}),
	}
	s.token.Store(&cfg.Token)
	return s, nil
}

// SetToken changes the accepted bearer token; requests already past the
// authentication check are not affected. Use it to test 401s mid-run.
func (s *Server) SetToken(tok string) { s.token.Store(&tok) }

// Start listens on addr ("127.0.0.1:0" picks a free port) and serves in a
// goroutine owned by s until Close. It returns the base URL,
// "http://127.0.0.1:PORT" when addr's host is empty or unspecified. A Server
// can be started once.
func (s *Server) Start(addr string) (baseURL string, err error) {
	s.srvMu.Lock()
	defer s.srvMu.Unlock()
	if s.everStart {
		return "", errors.New("start emulator: already started")
	}
	select {
	case <-s.closing:
		return "", errors.New("start emulator: server is closed")
	default:
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("start emulator: %w", err)
	}
	s.everStart = true
	s.srv = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute, // so Close cannot hang on a stalled upload
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	if s.cfg.Log.Core().Enabled(zap.DebugLevel) {
		s.srv.ErrorLog = zap.NewStdLog(s.cfg.Log.Named("http"))
	}
	s.served = make(chan struct{})
	go func(srv *http.Server, done chan<- struct{}) {
		defer close(done)
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			s.srvMu.Lock()
			s.serveErr = fmt.Errorf("serve: %w", err)
			s.srvMu.Unlock()
		}
	}(s.srv, s.served)
	return "http://" + displayAddr(ln.Addr()), nil
}

// displayAddr turns a listener address into host:port a client can dial.
func displayAddr(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

// Close ends slow answers, stops serving, and waits for the serving goroutine
// and in-flight handlers. It is idempotent; it returns the serving error, if any.
func (s *Server) Close() error {
	s.closeOnce.Do(func() { close(s.closing) })
	s.srvMu.Lock()
	srv, done := s.srv, s.served
	s.srv = nil
	s.srvMu.Unlock()
	if srv == nil {
		return nil
	}
	// Shutdown counts a connection that a client opened but never used as
	// busy for 5 s; past a short grace for requests in flight, close it all.
	ctx, cancel := context.WithTimeout(context.Background(), 250*time.Millisecond)
	defer cancel()
	err := srv.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		err = srv.Close()
	}
	<-done
	s.srvMu.Lock()
	defer s.srvMu.Unlock()
	if err == nil {
		err = s.serveErr
	}
	if err != nil {
		return fmt.Errorf("close emulator: %w", err)
	}
	return nil
}

// Routes of the emulated API.
const (
	objectsPrefix    = "/crm/v3/objects/"
	propertiesPrefix = "/crm/v3/properties/"
	batchUpdateTail  = "/batch/update"
	accountPath      = "/account-info/v3/details"
)

// ServeHTTP answers POST /crm/v3/objects/{objectType}/batch/update,
// GET /crm/v3/properties/{objectType} and GET /account-info/v3/details;
// anything else is 404 or 405.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c := newCall(w, r, s.now())
	s.mu.Lock()
	s.stats.Requests++
	s.mu.Unlock()

	path := r.URL.Path
	if rest, ok := strings.CutPrefix(path, objectsPrefix); ok {
		if typ, ok := strings.CutSuffix(rest, batchUpdateTail); ok && typ != "" && !strings.Contains(typ, "/") {
			c.batch = true
			s.mu.Lock()
			s.stats.BatchRequests++
			s.mu.Unlock()
			if s.allow(c, http.MethodPost) {
				s.serveBatch(c, typ)
			}
			return
		}
	}
	if typ, ok := strings.CutPrefix(path, propertiesPrefix); ok && typ != "" && !strings.Contains(typ, "/") {
		if s.allow(c, http.MethodGet) {
			s.serveProperties(c, typ)
		}
		return
	}
	if path == accountPath {
		s.mu.Lock()
		s.stats.AccountRequests++
		s.mu.Unlock()
		if s.allow(c, http.MethodGet) {
			s.serveAccount(c)
		}
		return
	}
	// The emulator covers three routes; a client calling any other gets the
	// bare 404 it would get for a mistyped path.
	s.replyError(c, http.StatusNotFound, apiError{Message: "Not found: " + path})
}

// allow reports whether the request uses method, the one its route
// serves; otherwise it answers 405 with an Allow header.
func (s *Server) allow(c *call, method string) bool {
	if c.r.Method == method {
		return true
	}
	c.w.Header().Set("Allow", method)
	s.replyError(c, http.StatusMethodNotAllowed, apiError{Message: "Method " + c.r.Method + " not supported"})
	return false
}

// serveProperties answers GET /crm/v3/properties/{objectType} (docs/hubspot-api.md §10).
// It needs no write scope, but counts against the rate limits.
func (s *Server) serveProperties(c *call, typ string) {
	if _, ok := s.gate(c); !ok {
		return
	}
	ot, ok := s.cat.lookup(typ)
	if !ok {
		s.replyError(c, http.StatusBadRequest, unknownObjectType(typ))
		return
	}
	s.reply(c, http.StatusOK, ot.listJSON)
}
