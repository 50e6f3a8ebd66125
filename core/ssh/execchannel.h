#pragma once

#include "common/error.h"
#include "libssh2handles.h"
#include "sshsession.h"

#include <QByteArray>
#include <QDeadlineTimer>

#include <optional>

namespace rd {

// One command on a channel of an SshSession: feeds its input, reads its output line by line, and
// ends it at its time limit or on cancel (the remote process group, whose pid the command tells
// first), then reads how it exited. Used by SshSession::exec and upload; lives for one command.
// Its messages are the session's (SshSession::tr).
class ExecChannel
{
public:
    using InputSource = SshSession::InputSource;

    // `limit` is the command's time limit, counted from before its channel was opened.
    ExecChannel(SshSession &session, ChannelHandle channel, const ExecOptions &options, const InputSource &input,
                QDeadlineTimer limit);
    // Starts `command` (already wrapped to tell its pid) and runs it to its end.
    Result<ExecResult> run(const QByteArray &command, const QDeadlineTimer &startDeadline);

private:
    // Sends what the input gives until the channel would block; true when the input holds back.
    Result<bool> sendInput();
    Result<> readOutput();
    // Hands complete lines to the callbacks (all that is left, with `flush`); the pid line is kept.
    void deliver(bool flush);
    void checkStop();
    // True when the command did not end within its grace after being told to.
    bool gaveUpWaiting();
    void kill();
    // The exit status comes with the remote close; true when waiting for it was given up.
    Result<bool> waitClosed();
    ExecResult finish(bool gaveUp);
    QDeadlineTimer fullLimit() const;

    SshSession &m_session;
    ChannelHandle m_channel;
    const ExecOptions &m_options;
    const InputSource &m_input;

    ExecResult m_result;
    QDeadlineTimer m_limit;
    qint64 m_pid = -1;
    QByteArray m_stdout;
    QByteArray m_stderr;
    // Bytes handed to libssh2_channel_write that it has not taken yet (from m_pendingOffset on). After
    // EAGAIN the same bytes must be written again before anything else is sent on the session, so they
    // are never dropped. An offset, not a shrinking array: libssh2 takes one packet (32 KiB) per call,
    // and moving the rest of a 1 MiB chunk down after each would copy it 32 times.
    QByteArray m_pending;
    qsizetype m_pendingOffset = 0;
    bool m_inputClosing = false;
    bool m_inputDone = false;
    bool m_progressed = false;
    bool m_stopping = false;
    bool m_killWanted = false;
    bool m_killed = false;
    QDeadlineTimer m_grace{QDeadlineTimer::Forever};
};

} // namespace rd
