#include "execchannel.h"

#include "remotecommand.h"

#include <utility>

namespace rd {

namespace {

constexpr int HeldInputPollMs = 2;
constexpr int MaxHeldInputPollMs = 16;
constexpr int KeptStderrLines = 20;
constexpr int ReadBufferBytes = 64 * 1024;

// Splits complete lines off the front of `buffer`; a final partial line stays until more arrives.
QStringList takeLines(QByteArray &buffer, bool flush)
{
    QStringList lines;
    qsizetype start = 0;
    for (qsizetype newline = buffer.indexOf('\n'); newline >= 0; newline = buffer.indexOf('\n', start)) {
        QByteArray line = buffer.mid(start, newline - start);
        if (line.endsWith('\r'))
            line.chop(1);
        lines.append(QString::fromUtf8(line));
        start = newline + 1;
    }
    buffer.remove(0, start);
    if (flush && !buffer.isEmpty()) {
        lines.append(QString::fromUtf8(buffer));
        buffer.clear();
    }
    return lines;
}

} // namespace

ExecChannel::ExecChannel(SshSession &session, ChannelHandle channel, const ExecOptions &options,
                         const InputSource &input, QDeadlineTimer limit)
    : m_session(session), m_channel(std::move(channel)), m_options(options), m_input(input), m_limit(limit),
      m_inputClosing(!input)
{
}

QDeadlineTimer ExecChannel::fullLimit() const
{
    return m_options.timeoutMs > 0 ? QDeadlineTimer(m_options.timeoutMs) : QDeadlineTimer(QDeadlineTimer::Forever);
}

Result<ExecResult> ExecChannel::run(const QByteArray &command, const QDeadlineTimer &startDeadline)
{
    LIBSSH2_CHANNEL *channel = m_channel.get();
    int rc;
    while ((rc = libssh2_channel_exec(channel, command.constData())) == LIBSSH2_ERROR_EAGAIN) {
        if (auto waited = m_session.waitSocket(startDeadline, m_options.cancel); !waited)
            return std::unexpected(waited.error());
    }
    if (rc != 0)
        return std::unexpected(m_session.sessionError(SshSession::tr("Starting a command failed")));

    bool gaveUp = false;
    int heldInputPollMs = HeldInputPollMs;
    while (!libssh2_channel_eof(channel)) {
        m_progressed = false;
        auto held = sendInput();
        if (!held)
            return std::unexpected(held.error());
        if (auto read = readOutput(); !read)
            return std::unexpected(read.error());
        deliver(false);
        checkStop();
        if (gaveUpWaiting()) {
            gaveUp = true;
            break;
        }
        // Held input gives no socket event to wake up for: look again soon, and less often the longer
        // nothing happens (a command may hold its input while it works for seconds on many servers).
        if (m_progressed)
            heldInputPollMs = HeldInputPollMs;
        else if (*held)
            m_session.waitSocket(QDeadlineTimer(std::exchange(heldInputPollMs, qMin(2 * heldInputPollMs,
                                                                                   MaxHeldInputPollMs))),
                                 nullptr);
        else
            m_session.waitSocket(QDeadlineTimer(QDeadlineTimer::Forever), nullptr);
    }
    deliver(true);
    if (!gaveUp) {
        auto waited = waitClosed();
        if (!waited)
            return std::unexpected(waited.error());
        gaveUp = *waited;
    }
    const QDeadlineTimer closing(SshSession::CloseTimeoutMs);
    while (libssh2_channel_close(channel) == LIBSSH2_ERROR_EAGAIN && !closing.hasExpired())
        m_session.waitSocket(closing, nullptr);
    return finish(gaveUp);
}

Result<bool> ExecChannel::sendInput()
{
    LIBSSH2_CHANNEL *channel = m_channel.get();
    while (!m_inputDone) {
        checkStop(); // between chunks too: on a fast link the input may never hit EAGAIN
        if (m_pendingOffset == m_pending.size() && !m_inputClosing) {
            auto next = m_input();
            if (!next)
                return std::unexpected(next.error());
            if (!next->has_value())
                return true;
            if ((*next)->isEmpty())
                m_inputClosing = true;
            m_pending = **next;
            m_pendingOffset = 0;
        }
        if (m_pendingOffset == m_pending.size()) {
            const int sent = libssh2_channel_send_eof(channel);
            if (sent == LIBSSH2_ERROR_EAGAIN)
                break;
            if (sent < 0)
                return std::unexpected(m_session.sessionError(SshSession::tr("Closing a command's input failed")));
            m_inputDone = true;
            break;
        }
        const ssize_t written = libssh2_channel_write(channel, m_pending.constData() + m_pendingOffset,
                                                      size_t(m_pending.size() - m_pendingOffset));
        if (written == LIBSSH2_ERROR_EAGAIN)
            break;
        if (written < 0)
            return std::unexpected(m_session.sessionError(SshSession::tr("Sending data failed")));
        m_pendingOffset += qsizetype(written);
        m_progressed = true;
    }
    return false;
}

Result<> ExecChannel::readOutput()
{
    char buffer[ReadBufferBytes];
    for (int stream : {0, SSH_EXTENDED_DATA_STDERR}) {
        QByteArray &target = stream == 0 ? m_stdout : m_stderr;
        for (;;) {
            const ssize_t n = libssh2_channel_read_ex(m_channel.get(), stream, buffer, sizeof buffer);
            if (n > 0) {
                target.append(buffer, qsizetype(n));
                m_progressed = true;
                continue;
            }
            if (n == 0 || n == LIBSSH2_ERROR_EAGAIN)
                break;
            return std::unexpected(m_session.sessionError(SshSession::tr("Reading a command's output failed")));
        }
    }
    return {};
}

void ExecChannel::deliver(bool flush)
{
    for (const QString &line : takeLines(m_stdout, flush)) {
        if (m_options.onStdout)
            m_options.onStdout(line);
    }
    for (const QString &line : takeLines(m_stderr, flush)) {
        if (m_pid < 0 && line.startsWith(QStringLiteral("rd-pid:"))) {
            m_pid = line.mid(7).toLongLong();
            if (m_killWanted)
                kill();
            continue;
        }
        m_result.lastStderr.append(line);
        if (m_result.lastStderr.size() > KeptStderrLines)
            m_result.lastStderr.removeFirst();
        if (m_options.onStderr)
            m_options.onStderr(line);
    }
}

void ExecChannel::kill()
{
    if (m_pid > 0) {
        m_session.killRemote(m_pid);
        m_killed = true;
    } else {
        m_killWanted = true; // as soon as the command has told its pid
    }
}

void ExecChannel::checkStop()
{
    if (m_stopping)
        return;
    if (m_options.waitingForOwner && m_options.waitingForOwner())
        m_limit = fullLimit();
    if (m_options.cancel && m_options.cancel->load())
        m_result.cancelled = true;
    else if (m_limit.hasExpired())
        m_result.timedOut = true;
    else
        return;
    m_stopping = true;
    m_grace = QDeadlineTimer(SshSession::CloseTimeoutMs);
    // An upload's remote side removes its partial file when its input ends early; any other
    // command's process group is ended.
    if (!m_inputDone)
        m_inputClosing = true;
    else
        kill();
}

bool ExecChannel::gaveUpWaiting()
{
    if (!m_stopping || !m_grace.hasExpired())
        return false;
    if (m_killed)
        return true;
    kill();
    m_grace = QDeadlineTimer(SshSession::CloseTimeoutMs);
    return false;
}

Result<bool> ExecChannel::waitClosed()
{
    // The output ended; the exit status comes with the remote close, which a command that closed
    // its output early (`exec >log`) sends only when it really ends: wait for it under the same
    // limit and cancel.
    int closed;
    while ((closed = libssh2_channel_wait_closed(m_channel.get())) != 0) {
        // libssh2 1.10 answers EAGAIN after reading the close it waited for: ask once more before waiting.
        if (closed == LIBSSH2_ERROR_EAGAIN && (closed = libssh2_channel_wait_closed(m_channel.get())) == 0)
            break;
        if (closed != LIBSSH2_ERROR_EAGAIN)
            return std::unexpected(m_session.sessionError(SshSession::tr("Waiting for a command to end failed")));
        checkStop();
        if (gaveUpWaiting())
            return true;
        m_session.waitSocket(QDeadlineTimer(QDeadlineTimer::Forever), nullptr);
    }
    return false;
}

ExecResult ExecChannel::finish(bool gaveUp)
{
    if (gaveUp) {
        m_result.exitStatus = -1; // never reported: the command did not end
        return m_result;
    }
    m_result.exitStatus = libssh2_channel_get_exit_status(m_channel.get());
    char *signal = nullptr;
    size_t signalLength = 0;
    if (libssh2_channel_get_exit_signal(m_channel.get(), &signal, &signalLength, nullptr, nullptr, nullptr, nullptr) ==
            0 &&
        signal) {
        m_result.exitSignal = QString::fromLatin1(signal, qsizetype(signalLength));
        libssh2_free(m_session.m_session.get(), signal);
    }
    return m_result;
}

} // namespace rd
