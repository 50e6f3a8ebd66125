#pragma once

#include "common/error.h"
#include "hostkeys/hostkeyinfo.h"
#include "libssh2handles.h"
#include "sshtarget.h"

#include <QCoreApplication>
#include <QDeadlineTimer>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>

namespace rd {

class KnownHosts;

struct ExecOptions
{
    std::function<void(const QString &line)> onStdout;
    std::function<void(const QString &line)> onStderr;
    int timeoutMs = 0; // 0: no limit
    // While this says so, the command only waits for its owner (who always ends the wait): the time
    // limit stands still, and runs in full again after.
    std::function<bool()> waitingForOwner;
    const std::atomic_bool *cancel = nullptr;
    // The command's input, asked for each time the last part has gone out: the next bytes, empty
    // bytes to end it, or std::nullopt while there is nothing to send yet (asked again shortly).
    // Unset: the input ends at once.
    std::function<std::optional<QByteArray>()> input;
};

struct ExecResult
{
    int exitStatus = -1;
    QString exitSignal; // "TERM", "KILL"... when the command died of a signal
    bool timedOut = false;
    bool cancelled = false;
    QStringList lastStderr; // the last lines, for error messages

    bool succeeded() const { return exitStatus == 0 && exitSignal.isEmpty() && !timedOut && !cancelled; }
};

struct UploadOptions
{
    std::function<void(qint64 sent, qint64 total)> onProgress;
    const std::atomic_bool *cancel = nullptr;
    int mode = 0644;
    // The file's sha256 when the caller knows it already (one package sent to many servers): the
    // server still checks what arrived against it, and this side skips hashing the file again.
    QByteArray expectedSha256;
};

// One authenticated SSH connection, used by one thread at a time: libssh2 sessions are not shared
// (a SessionCache hands a kept one over whole to the next thread). All I/O is non-blocking with deadlines, so cancel and time limits always work.
class SshSession
{
    Q_DECLARE_TR_FUNCTIONS(SshSession)

public:
    static Result<std::unique_ptr<SshSession>> connect(SshTarget target, KnownHosts &knownHosts,
                                                       const HostKeyPrompt &prompt,
                                                       const std::atomic_bool *cancel = nullptr);
    // Only the handshake: the server's host key and what our known_hosts says about it. Stores nothing.
    static Result<HostKeyInfo> probeHostKey(const QString &host, int port, int timeoutMs, KnownHosts &knownHosts,
                                            const std::atomic_bool *cancel = nullptr);
    ~SshSession();
    SshSession(const SshSession &) = delete;
    SshSession &operator=(const SshSession &) = delete;

    // Runs `command` with the remote user's shell. Lines stream to the callbacks while it runs; at the
    // time limit or on cancel the remote process group is ended, not left running.
    Result<ExecResult> exec(const QString &command, const ExecOptions &options = {});
    // Streams a local file to a temporary name beside remotePath, checks its size and sha256 on the
    // server, then renames it into place. On any failure or cancel the partial file is removed.
    // Returns the sha256 (raw bytes) both sides agreed on.
    Result<QByteArray> upload(const QString &localPath, const QString &remotePath, const UploadOptions &options = {});
    // Sends a keepalive if one is due; call while idle between stages.
    void keepalive();
    // The server has not hung up and still opens a channel within `timeoutMs` (one round trip, no
    // process on the server): a kept session may carry more work (see SessionCache).
    bool stillAnswers(int timeoutMs);
    // The host key this session was opened with is still the one `knownHosts` trusts for the server
    // (not forgotten, replaced or revoked since, nor accepted only once).
    bool hostKeyStillTrusted(const KnownHosts &knownHosts) const;

    const SshTarget &target() const { return m_target; }
    QString authenticatedWith() const { return m_authMethod; }

private:
    friend class ExecChannel;
    // How long a command told to end, or a channel being closed, is given.
    static constexpr int CloseTimeoutMs = 5000;

    explicit SshSession(SshTarget target);
    Result<> openSocket(const std::atomic_bool *cancel);
    Result<HostKeyInfo> handshake(KnownHosts &knownHosts, const std::atomic_bool *cancel);
    Result<> verifyHostKey(const HostKeyInfo &info, KnownHosts &knownHosts, const HostKeyPrompt &prompt);
    Result<> authenticate(const std::atomic_bool *cancel);
    Result<> waitSocket(const QDeadlineTimer &deadline, const std::atomic_bool *cancel);
    Result<ChannelHandle> openChannel(const QDeadlineTimer &deadline, const std::atomic_bool *cancel);
    void killRemote(qint64 pid);
    // Feeds a command's stdin: the next bytes to send, an empty array at the end, or std::nullopt
    // while nothing is ready to send.
    using InputSource = std::function<Result<std::optional<QByteArray>>()>;
    Result<ExecResult> runCommand(const QString &command, const ExecOptions &options, const InputSource &input);
    Error sessionError(const QString &what) const;
    QString where() const;

    SshTarget m_target;
    HostKeyInfo m_hostKey;
    int m_socket = -1;
    SessionHandle m_session;
    QString m_authMethod;
};

} // namespace rd
