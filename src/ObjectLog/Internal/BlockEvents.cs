using System.Runtime.InteropServices;

namespace ObjectLog.Internal;

/// <summary>Picks what a read hands out for one event of a block, or skips the event (returns <see langword="false"/>).</summary>
internal delegate bool EventSelector<T>(in PlannedEvent e, out T item);

/// <summary>
/// A read's events, one at a time, from its blocks (see <see cref="LogReader.ReadAsync"/>): one await per block and
/// none per event, so a caller's <c>await foreach</c> over millions of events costs a bounds check and a delegate
/// call per event, not an async state machine's step.
/// </summary>
/// <remarks>
/// Each enumeration starts its own read (<paramref name="blocks"/> is enumerated afresh), hands out each block's
/// events in block order before it asks for the next block (so every block is used while it is valid), and
/// cancellation is observed where the blocks' enumeration observes it: the token given here is passed on to it.
/// </remarks>
internal sealed class BlockEvents<T>(IAsyncEnumerable<List<PlannedEvent>> blocks, EventSelector<T> select) : IAsyncEnumerable<T>
{
    public IAsyncEnumerator<T> GetAsyncEnumerator(CancellationToken cancellationToken = default)
        => new Enumerator(blocks.GetAsyncEnumerator(cancellationToken), select);

    private sealed class Enumerator(IAsyncEnumerator<List<PlannedEvent>> blocks, EventSelector<T> select) : IAsyncEnumerator<T>
    {
        private List<PlannedEvent>? _block;
        private int _next;

        public T Current { get; private set; } = default!;

        public ValueTask<bool> MoveNextAsync() => NextInBlock() ? new ValueTask<bool>(true) : NextBlockAsync();

        public ValueTask DisposeAsync()
        {
            _block = null;
            return blocks.DisposeAsync();
        }

        private bool NextInBlock()
        {
            if (_block is not { } block)
            {
                return false;
            }

            ReadOnlySpan<PlannedEvent> events = CollectionsMarshal.AsSpan(block);
            while (_next < events.Length)
            {
                if (select(in events[_next++], out T item))
                {
                    Current = item;
                    return true;
                }
            }

            _block = null; // the block may be reused once the next one is asked for
            return false;
        }

        private async ValueTask<bool> NextBlockAsync()
        {
            while (await blocks.MoveNextAsync().ConfigureAwait(false))
            {
                _block = blocks.Current;
                _next = 0;
                if (NextInBlock())
                {
                    return true;
                }
            }

            return false;
        }
    }
}
