package gitobj

import (
	"container/list"
	"sync"
)

// baseCache keeps recently used delta bases, least recently used first out,
// within a byte budget, so chains sharing bases are not inflated again.
type baseCache struct {
	mu    sync.Mutex
	max   int
	bytes int
	lru   list.List // of *cached, most recent at the front
	items map[cacheKey]*list.Element
}

type cacheKey struct {
	p   *pack
	off int64
}

type cached struct {
	key  cacheKey
	t    Type
	data []byte
}

func newBaseCache(max int) *baseCache {
	return &baseCache{max: max, items: map[cacheKey]*list.Element{}}
}

// get returns the cached object at off in p. The data must not be modified.
func (c *baseCache) get(p *pack, off int64) (Type, []byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[cacheKey{p, off}]
	if !ok {
		return 0, nil, false
	}
	c.lru.MoveToFront(el)
	v := el.Value.(*cached)
	return v.t, v.data, true
}

// add caches the object at off in p unless it alone exceeds a quarter of
// the budget, evicting the least recently used objects to stay within it.
func (c *baseCache) add(p *pack, off int64, t Type, data []byte) {
	if len(data) > c.max/4 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	k := cacheKey{p, off}
	if el, ok := c.items[k]; ok {
		c.lru.MoveToFront(el)
		return
	}
	c.items[k] = c.lru.PushFront(&cached{k, t, data})
	c.bytes += len(data)
	for c.bytes > c.max {
		el := c.lru.Back()
		v := el.Value.(*cached)
		c.lru.Remove(el)
		delete(c.items, v.key)
		c.bytes -= len(v.data)
	}
}

func (c *baseCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lru.Init()
	c.items = map[cacheKey]*list.Element{}
	c.bytes = 0
}
