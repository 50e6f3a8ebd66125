#include "sshsession.h"

#include "common/sha256.h"
#include "execchannel.h"
#include "hostkeys/knownhosts.h"
#include "remotecommand.h"

#include <QFile>
#include <QRandomGenerator>
#include <QRegularExpression>

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <utility>

namespace rd {

namespace {

constexpr int PollSliceMs = 50;
constexpr qint64 ChunkSize = 1 << 20;

QString hostKeyTypeName(int type)
{
    switch (type) {
    case LIBSSH2_HOSTKEY_TYPE_RSA:
        return QStringLiteral("ssh-rsa");
    case LIBSSH2_HOSTKEY_TYPE_DSS:
        return QStringLiteral("ssh-dss");
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_256:
        return QStringLiteral("ecdsa-sha2-nistp256");
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_384:
        return QStringLiteral("ecdsa-sha2-nistp384");
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_521:
        return QStringLiteral("ecdsa-sha2-nistp521");
    case LIBSSH2_HOSTKEY_TYPE_ED25519:
        return QStringLiteral("ssh-ed25519");
    default:
        return QStringLiteral("unknown");
    }
}

// The host key algorithms that produce keys of a known_hosts type, best first.
QStringList algorithmsFor(const QString &type)
{
    if (type == u"ssh-rsa")
        return {QStringLiteral("rsa-sha2-512"), QStringLiteral("rsa-sha2-256"), QStringLiteral("ssh-rsa")};
    return {type};
}

// Sets a preference list with only the methods this libssh2 supports: 1.10 removes unknown names
// with an overlapping memcpy, which corrupts the list.
void preferMethods(LIBSSH2_SESSION *session, int type, const QStringList &wanted)
{
    const char **supported = nullptr;
    const int count = libssh2_session_supported_algs(session, type, &supported);
    if (count <= 0)
        return;
    QStringList available;
    for (int i = 0; i < count; ++i)
        available.append(QString::fromLatin1(supported[i]));
    libssh2_free(session, supported);
    QStringList chosen;
    for (const QString &method : wanted) {
        if (available.contains(method))
            chosen.append(method);
    }
    if (!chosen.isEmpty())
        libssh2_session_method_pref(session, type, chosen.join(u',').toLatin1().constData());
}

SecretBytes terminated(const SecretBytes &bytes)
{
    SecretBytes copy(bytes.size() + 1);
    if (!bytes.isEmpty())
        memcpy(copy.data(), bytes.data(), bytes.size());
    copy.data()[bytes.size()] = 0;
    return copy;
}

struct AbstractData
{
    SshSession *session = nullptr;
    const KeyboardInteractiveResponder *responder = nullptr;
};

void keyboardInteractiveCallback(const char *, int, const char *instruction, int instructionLength, int promptCount,
                                 const LIBSSH2_USERAUTH_KBDINT_PROMPT *prompts,
                                 LIBSSH2_USERAUTH_KBDINT_RESPONSE *responses, void **abstract)
{
    const auto *data = static_cast<const AbstractData *>(*abstract);
    for (int i = 0; i < promptCount; ++i) {
        responses[i].text = nullptr;
        responses[i].length = 0;
        if (!data || !data->responder || !*data->responder)
            continue;
        const auto answer = (*data->responder)(QString::fromUtf8(instruction, instructionLength),
                                               QString::fromUtf8(reinterpret_cast<const char *>(prompts[i].text),
                                                                 int(prompts[i].length)),
                                               prompts[i].echo != 0);
        if (!answer)
            continue;
        // libssh2 frees each response with free().
        responses[i].text = static_cast<char *>(malloc(size_t(answer->size()) + 1));
        if (!responses[i].text)
            continue;
        memcpy(responses[i].text, answer->constData(), size_t(answer->size()));
        responses[i].length = unsigned(answer->size());
    }
}

} // namespace

SshSession::SshSession(SshTarget target) : m_target(std::move(target)) {}

SshSession::~SshSession()
{
    m_session.reset();
    if (m_socket >= 0)
        ::close(m_socket);
}

QString SshSession::where() const
{
    if (m_target.name.isEmpty() || m_target.name == m_target.host)
        return tr("%1 port %2").arg(m_target.host).arg(m_target.port);
    return tr("%1 (%2 port %3)").arg(m_target.name, m_target.host).arg(m_target.port);
}

Error SshSession::sessionError(const QString &what) const
{
    char *message = nullptr;
    int length = 0;
    const int code = m_session ? libssh2_session_last_error(m_session.get(), &message, &length, 0) : 0;
    QString detail = message ? QString::fromUtf8(message, length) : QString();
    if (code == LIBSSH2_ERROR_SOCKET_RECV || code == LIBSSH2_ERROR_SOCKET_SEND || code == LIBSSH2_ERROR_SOCKET_DISCONNECT)
        return Error{tr("%1 on %2: the connection was lost (%3).").arg(what, where(), detail),
                     tr("Check that the server and its sshd are still running, then retry."), {}};
    return Error{tr("%1 on %2: %3").arg(what, where(), detail.isEmpty() ? tr("error %1").arg(code) : detail), {}, {}};
}

Result<std::unique_ptr<SshSession>> SshSession::connect(SshTarget target, KnownHosts &knownHosts,
                                                        const HostKeyPrompt &prompt, const std::atomic_bool *cancel)
{
    std::unique_ptr<SshSession> session(new SshSession(std::move(target)));
    if (auto opened = session->openSocket(cancel); !opened)
        return std::unexpected(opened.error());
    auto hostKey = session->handshake(knownHosts, cancel);
    if (!hostKey)
        return std::unexpected(hostKey.error());
    if (auto verified = session->verifyHostKey(*hostKey, knownHosts, prompt); !verified)
        return std::unexpected(verified.error());
    session->m_hostKey = *hostKey;
    if (auto authenticated = session->authenticate(cancel); !authenticated)
        return std::unexpected(authenticated.error());
    libssh2_keepalive_config(session->m_session.get(), 1, unsigned(session->m_target.keepaliveSeconds));
    return session;
}

Result<> SshSession::waitSocket(const QDeadlineTimer &deadline, const std::atomic_bool *cancel)
{
    if (cancel && cancel->load())
        return fail(tr("Cancelled while talking to %1.").arg(where()));
    if (deadline.hasExpired())
        return fail(tr("%1 did not answer in time.").arg(where()),
                    tr("Check the network and the server's load, or raise the time limit."));
    pollfd descriptor{m_socket, 0, 0};
    const int directions = m_session ? libssh2_session_block_directions(m_session.get())
                                     : LIBSSH2_SESSION_BLOCK_INBOUND | LIBSSH2_SESSION_BLOCK_OUTBOUND;
    if (directions & LIBSSH2_SESSION_BLOCK_INBOUND)
        descriptor.events |= POLLIN;
    if (directions & LIBSSH2_SESSION_BLOCK_OUTBOUND)
        descriptor.events |= POLLOUT;
    const qint64 remaining = deadline.isForever() ? PollSliceMs : qMin<qint64>(deadline.remainingTime(), PollSliceMs);
    // sshd sends the end of a command (EOF, exit status, close) as small packets under Nagle: each
    // waits for our ACK of the one before, which Linux delays by up to 40 ms. Quick ACKs avoid that
    // (the flag does not stick, so it is set before every wait).
    const int one = 1;
    setsockopt(m_socket, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
    ::poll(&descriptor, 1, int(qMax<qint64>(remaining, 1)));
    return {};
}

Result<> SshSession::openSocket(const std::atomic_bool *cancel)
{
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo *found = nullptr;
    QString host = m_target.host;
    if (host.startsWith(u'[') && host.endsWith(u']'))
        host = host.mid(1, host.size() - 2);
    const int resolved = getaddrinfo(host.toUtf8().constData(), QByteArray::number(m_target.port).constData(),
                                     &hints, &found);
    if (resolved != 0)
        return fail(tr("Could not resolve %1: %2.").arg(where(), QString::fromLocal8Bit(gai_strerror(resolved))),
                    tr("Check the host name, or use its IP address."));
    std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> addresses(found, freeaddrinfo);

    const QDeadlineTimer deadline(m_target.connectTimeoutMs);
    QString lastError;
    for (addrinfo *address = addresses.get(); address; address = address->ai_next) {
        const int fd = ::socket(address->ai_family, address->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                                address->ai_protocol);
        if (fd < 0) {
            lastError = QString::fromLocal8Bit(strerror(errno));
            continue;
        }
        int connected = ::connect(fd, address->ai_addr, address->ai_addrlen);
        if (connected < 0 && errno == EINPROGRESS) {
            pollfd descriptor{fd, POLLOUT, 0};
            while (!deadline.hasExpired() && !(cancel && cancel->load())) {
                if (::poll(&descriptor, 1, int(qMin<qint64>(deadline.remainingTime(), PollSliceMs))) > 0)
                    break;
            }
            int socketError = ETIMEDOUT;
            socklen_t length = sizeof socketError;
            if (descriptor.revents)
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &socketError, &length);
            connected = socketError == 0 ? 0 : -1;
            errno = socketError;
        }
        if (connected == 0) {
            // The handshake is a few small packets each way: Nagle's algorithm only adds waiting.
            const int one = 1;
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            // A server that vanishes (power, network) must end in an error, not a session that
            // waits forever: probe an idle connection, and give up on data unacknowledged for 60 s.
            const int idle = 30, interval = 10, probes = 3;
            const unsigned userTimeoutMs = 60000;
            setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
            setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
            setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval);
            setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &probes, sizeof probes);
            setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &userTimeoutMs, sizeof userTimeoutMs);
            m_socket = fd;
            return {};
        }
        lastError = QString::fromLocal8Bit(strerror(errno));
        ::close(fd);
        if (cancel && cancel->load())
            return fail(tr("Cancelled while connecting to %1.").arg(where()));
    }
    if (deadline.hasExpired())
        return fail(tr("Could not connect to %1: no answer within %2 s.").arg(where()).arg(m_target.connectTimeoutMs / 1000.0),
                    tr("Check that the server is up and that no firewall drops SSH traffic."));
    return fail(tr("Could not connect to %1: %2.").arg(where(), lastError),
                tr("Check that the server is up, that sshd listens on port %1 and that no firewall blocks it.")
                    .arg(m_target.port));
}

Result<HostKeyInfo> SshSession::probeHostKey(const QString &host, int port, int timeoutMs, KnownHosts &knownHosts,
                                             const std::atomic_bool *cancel)
{
    SshTarget target;
    target.name = host;
    target.host = host;
    target.port = port;
    target.connectTimeoutMs = timeoutMs;
    SshSession session(std::move(target));
    if (auto opened = session.openSocket(cancel); !opened)
        return std::unexpected(opened.error());
    return session.handshake(knownHosts, cancel);
}

Result<HostKeyInfo> SshSession::handshake(KnownHosts &knownHosts, const std::atomic_bool *cancel)
{
    m_session.reset(libssh2_session_init_ex(nullptr, nullptr, nullptr, nullptr));
    if (!m_session)
        return fail(tr("Could not create an SSH session for %1.").arg(where()), tr("The system may be out of memory."));
    libssh2_session_set_blocking(m_session.get(), 0);
    libssh2_session_flag(m_session.get(), LIBSSH2_FLAG_COMPRESS, 0);

    LIBSSH2_SESSION *session = m_session.get();
    preferMethods(session, LIBSSH2_METHOD_KEX,
                  {QStringLiteral("curve25519-sha256"), QStringLiteral("curve25519-sha256@libssh.org"),
                   QStringLiteral("ecdh-sha2-nistp256"), QStringLiteral("ecdh-sha2-nistp384"),
                   QStringLiteral("ecdh-sha2-nistp521"), QStringLiteral("diffie-hellman-group16-sha512"),
                   QStringLiteral("diffie-hellman-group14-sha256")});
    const QStringList ciphers{QStringLiteral("aes128-ctr"), QStringLiteral("aes256-ctr"), QStringLiteral("aes192-ctr")};
    const QStringList macs{QStringLiteral("hmac-sha2-256"), QStringLiteral("hmac-sha2-512")};
    preferMethods(session, LIBSSH2_METHOD_CRYPT_CS, ciphers);
    preferMethods(session, LIBSSH2_METHOD_CRYPT_SC, ciphers);
    preferMethods(session, LIBSSH2_METHOD_MAC_CS, macs);
    preferMethods(session, LIBSSH2_METHOD_MAC_SC, macs);
    // Ask for the key type we already know, so a known server is checked against its stored key.
    QStringList hostKeyAlgorithms;
    for (const QString &type : knownHosts.knownTypes(m_target.host, m_target.port))
        hostKeyAlgorithms += algorithmsFor(type);
    for (const char *algorithm : {"ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
                                  "rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"}) {
        if (!hostKeyAlgorithms.contains(QLatin1String(algorithm)))
            hostKeyAlgorithms.append(QLatin1String(algorithm));
    }
    preferMethods(session, LIBSSH2_METHOD_HOSTKEY, hostKeyAlgorithms);

    const QDeadlineTimer deadline(m_target.connectTimeoutMs);
    int rc;
    while ((rc = libssh2_session_handshake(session, m_socket)) == LIBSSH2_ERROR_EAGAIN) {
        if (auto waited = waitSocket(deadline, cancel); !waited)
            return std::unexpected(waited.error());
    }
    if (rc != 0) {
        Error error = sessionError(tr("The SSH handshake failed"));
        error.hint = tr("Check that the port belongs to an SSH server and that it accepts modern algorithms "
                        "(curve25519 or ECDH key exchange, AES-CTR, HMAC-SHA2).");
        return std::unexpected(error);
    }

    size_t length = 0;
    int type = 0;
    const char *key = libssh2_session_hostkey(session, &length, &type);
    if (!key)
        return std::unexpected(sessionError(tr("The server sent no host key")));
    HostKeyInfo info;
    info.host = m_target.host;
    info.port = m_target.port;
    info.type = hostKeyTypeName(type);
    info.blob = QByteArray(key, qsizetype(length));
    info.fingerprint = HostKeyInfo::fingerprintOf(info.blob);
    knownHosts.check(info);
    // We asked for the stored key types first: a server that offers another one no longer has the
    // key we know. That is a change to look into, not a first contact.
    if (info.state == HostKeyState::Unknown && !info.otherKnownKey.isEmpty()) {
        info.state = HostKeyState::Changed;
        info.storedFingerprint = info.otherKnownKey;
    }
    return info;
}

Result<> SshSession::verifyHostKey(const HostKeyInfo &info, KnownHosts &knownHosts, const HostKeyPrompt &prompt)
{
    switch (info.state) {
    case HostKeyState::Known:
        return {};
    case HostKeyState::Revoked:
        return fail(tr("The host key of %1 (%2 %3) is marked as revoked in ReleaseDesk's known hosts.")
                        .arg(where(), info.type, info.fingerprint),
                    tr("Do not connect until the server has a new key."));
    case HostKeyState::Changed:
        return fail(tr("The host key of %1 has CHANGED. Stored: %2. Offered now: %3 (%4). The connection was "
                       "refused: someone may be intercepting it.")
                        .arg(where(), info.storedFingerprint, info.fingerprint, info.type),
                    tr("If the server was reinstalled or its keys rotated, check the new fingerprint on the server "
                       "(ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub), then replace the stored key "
                       "(releasedesk-cli hostkeys forget %1, or the host key dialog).")
                        .arg(m_target.name));
    case HostKeyState::Unknown:
        break;
    }
    const HostKeyDecision decision = prompt ? prompt(info) : HostKeyDecision::Reject;
    if (decision == HostKeyDecision::Reject)
        return fail(tr("The host key of %1 (%2 %3) is not known and was not accepted.")
                        .arg(where(), info.type, info.fingerprint),
                    tr("Compare the fingerprint with the server's (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub) and "
                       "accept it, or scan and approve the fleet's keys first."));
    if (decision == HostKeyDecision::Remember) {
        if (auto remembered = knownHosts.remember(info); !remembered)
            return remembered;
    }
    return {};
}

Result<> SshSession::authenticate(const std::atomic_bool *cancel)
{
    LIBSSH2_SESSION *session = m_session.get();
    const QByteArray user = m_target.username.toUtf8();
    const QDeadlineTimer deadline(m_target.connectTimeoutMs * 2);
    const char *list = nullptr;
    while (!(list = libssh2_userauth_list(session, user.constData(), unsigned(user.size())))) {
        if (libssh2_userauth_authenticated(session)) {
            m_authMethod = QStringLiteral("none");
            return {};
        }
        if (libssh2_session_last_errno(session) != LIBSSH2_ERROR_EAGAIN)
            return std::unexpected(sessionError(tr("Asking for the authentication methods failed")));
        if (auto waited = waitSocket(deadline, cancel); !waited)
            return waited;
    }
    const QStringList offered = QString::fromLatin1(list).split(u',', Qt::SkipEmptyParts);
    QStringList tried;

    auto attempt = [&](const QString &label, const std::function<int()> &call) -> std::optional<Result<>> {
        int rc;
        while ((rc = call()) == LIBSSH2_ERROR_EAGAIN) {
            if (auto waited = waitSocket(deadline, cancel); !waited)
                return waited;
        }
        if (rc == 0) {
            m_authMethod = label;
            return Result<>{};
        }
        char *message = nullptr;
        libssh2_session_last_error(session, &message, nullptr, 0);
        tried.append(tr("%1 (%2)").arg(label, message ? QString::fromUtf8(message) : tr("refused")));
        return std::nullopt;
    };

    if (m_target.useAgent && offered.contains(u"publickey")) {
        AgentHandle agent(libssh2_agent_init(session));
        if (!agent || libssh2_agent_connect(agent.get()) != 0) {
            tried.append(tr("ssh-agent (not reachable: is SSH_AUTH_SOCK set?)"));
        } else if (libssh2_agent_list_identities(agent.get()) != 0) {
            tried.append(tr("ssh-agent (could not list its keys)"));
        } else {
            libssh2_agent_publickey *identity = nullptr;
            libssh2_agent_publickey *previous = nullptr;
            int identities = 0;
            while (libssh2_agent_get_identity(agent.get(), &identity, previous) == 0) {
                ++identities;
                if (auto done = attempt(tr("ssh-agent key %1").arg(QString::fromUtf8(identity->comment)), [&] {
                        return libssh2_agent_userauth(agent.get(), user.constData(), identity);
                    }))
                    return *done;
                previous = identity;
            }
            if (identities == 0)
                tried.append(tr("ssh-agent (it holds no keys)"));
        }
    }
    // libssh2 reads the key and the passphrase as C strings: copies with terminators, in wiped memory.
    const SecretBytes passphrase = terminated(m_target.passphrase);
    const SecretBytes privateKey = terminated(m_target.privateKey);
    const char *passphraseText = m_target.passphrase.isEmpty() ? nullptr : reinterpret_cast<const char *>(passphrase.data());

    if (!m_target.privateKey.isEmpty() && offered.contains(u"publickey")) {
        if (auto done = attempt(tr("stored key"), [&] {
                return libssh2_userauth_publickey_frommemory(
                    session, user.constData(), size_t(user.size()), nullptr, 0,
                    reinterpret_cast<const char *>(privateKey.data()), m_target.privateKey.size(),
                    passphraseText);
            }))
            return *done;
    }
    if (!m_target.keyPath.isEmpty() && offered.contains(u"publickey")) {
        const QByteArray path = QFile::encodeName(m_target.keyPath);
        if (auto done = attempt(tr("key file %1").arg(m_target.keyPath), [&] {
                return libssh2_userauth_publickey_fromfile_ex(session, user.constData(), unsigned(user.size()),
                                                              nullptr, path.constData(), passphraseText);
            }))
            return *done;
    }
    if (m_target.keyboardInteractive && offered.contains(u"keyboard-interactive")) {
        AbstractData data{this, &m_target.keyboardInteractive};
        void **abstract = libssh2_session_abstract(session);
        *abstract = &data;
        auto done = attempt(tr("keyboard-interactive"), [&] {
            return libssh2_userauth_keyboard_interactive_ex(session, user.constData(), unsigned(user.size()),
                                                            keyboardInteractiveCallback);
        });
        *abstract = nullptr;
        if (done)
            return *done;
    }
    return fail(tr("Authentication as %1 on %2 failed. The server offers: %3. Tried: %4.")
                    .arg(m_target.username, where(), offered.join(QStringLiteral(", ")),
                         tried.isEmpty() ? tr("nothing that the server offers") : tried.join(QStringLiteral("; "))),
                tr("Check the user name, and that the key's public part is in that user's ~/.ssh/authorized_keys on "
                   "the server; for a key with a passphrase, check the passphrase."));
}

Result<ChannelHandle> SshSession::openChannel(const QDeadlineTimer &deadline, const std::atomic_bool *cancel)
{
    LIBSSH2_CHANNEL *channel = nullptr;
    while (!(channel = libssh2_channel_open_session(m_session.get()))) {
        if (libssh2_session_last_errno(m_session.get()) != LIBSSH2_ERROR_EAGAIN)
            return std::unexpected(sessionError(tr("Opening a channel failed")));
        if (auto waited = waitSocket(deadline, cancel); !waited)
            return std::unexpected(waited.error());
    }
    return ChannelHandle(channel, ChannelDeleter(m_session.get()));
}

void SshSession::killRemote(qint64 pid)
{
    if (pid <= 0)
        return;
    // sshd starts each command in its own session, so its pid is also its process group: end the group,
    // then make sure with KILL a moment later, detached so this channel closes at once.
    // "kill -TERM -PID", not "kill -TERM -- -PID": dash's kill does not take "--".
    const QString group = QStringLiteral("-") + QString::number(pid);
    const QString command = QStringLiteral("kill -TERM %1 2>/dev/null; (sleep 2; kill -KILL %1) "
                                           "</dev/null >/dev/null 2>&1 &")
                                .arg(group);
    const QDeadlineTimer deadline(CloseTimeoutMs);
    auto channel = openChannel(deadline, nullptr);
    if (!channel)
        return;
    const QByteArray bytes = command.toUtf8();
    while (libssh2_channel_exec(channel->get(), bytes.constData()) == LIBSSH2_ERROR_EAGAIN) {
        if (!waitSocket(deadline, nullptr))
            return;
    }
    while (!libssh2_channel_eof(channel->get()) && !deadline.hasExpired()) {
        char buffer[256];
        if (libssh2_channel_read(channel->get(), buffer, sizeof buffer) == LIBSSH2_ERROR_EAGAIN)
            waitSocket(deadline, nullptr);
    }
}

Result<ExecResult> SshSession::exec(const QString &command, const ExecOptions &options)
{
    if (!options.input)
        return runCommand(command, options, nullptr);
    return runCommand(command, options, [&options]() -> Result<std::optional<QByteArray>> { return options.input(); });
}

Result<ExecResult> SshSession::runCommand(const QString &command, const ExecOptions &options, const InputSource &input)
{
    const QDeadlineTimer limit =
        options.timeoutMs > 0 ? QDeadlineTimer(options.timeoutMs) : QDeadlineTimer(QDeadlineTimer::Forever);
    const QDeadlineTimer startDeadline(m_target.connectTimeoutMs);
    auto opened = openChannel(startDeadline, options.cancel);
    if (!opened)
        return std::unexpected(opened.error());
    // Report our pid first, so a time limit or cancel can end the command's whole process group.
    const QByteArray wrapped =
        (QStringLiteral("echo rd-pid:$$ >&2; exec /bin/sh -c ") + RemoteCommand::quote(command)).toUtf8();
    return ExecChannel(*this, std::move(*opened), options, input, limit).run(wrapped, startDeadline);
}

Result<QByteArray> SshSession::upload(const QString &localPath, const QString &remotePath,
                                      const UploadOptions &options)
{
    QFile file(localPath);
    if (!file.open(QIODevice::ReadOnly))
        return fail(tr("Could not read %1: %2").arg(localPath, file.errorString()),
                    tr("Check that the file exists and is readable."));
    const qint64 total = file.size();
    const QString temporary = remotePath + QStringLiteral(".rd-part-")
                              + QString::number(QRandomGenerator::global()->generate64(), 16);
    // The data is followed by its sha256 on one line. copyInput writes exactly `total` bytes straight
    // to a temporary file, as `ssh host 'cat > f'` would, and leaves the line to `read`; the server then
    // hashes the file, still in its page cache (cheaper than a tee into a hasher while writing: on a
    // busy server every extra pipe costs more CPU than the hash). The file is kept only when its
    // sha256 matches; anything else removes it, and a short file is named as such.
    const QString script =
        QStringLiteral("tmp=%1; dst=%2; trap 'rm -f \"$tmp\"; exit 143' HUP INT TERM; "
                       "%6 || { rm -f \"$tmp\"; exit 3; }; "
                       "IFS= read -r expected || expected=; "
                       "actual=$(%5); actual=${actual%% *}; "
                       "if [ \"$actual\" != \"$expected\" ]; then size=$(wc -c < \"$tmp\"); rm -f \"$tmp\"; "
                       "if [ \"$size\" -ne %3 ]; then echo \"only $size of %3 bytes arrived\" >&2; exit 4; fi; "
                       "echo \"sha256 on the server is $actual\" >&2; exit 5; fi; "
                       "chmod %4 \"$tmp\" && mv -f \"$tmp\" \"$dst\" || { rm -f \"$tmp\"; exit 6; }; "
                       "echo \"$actual\"")
            .arg(RemoteCommand::quote(temporary), RemoteCommand::quote(remotePath), QString::number(total),
                 QString::number(options.mode, 8), RemoteCommand::sha256Of(QStringLiteral("\"$tmp\""), total),
                 RemoteCommand::copyInput(total, QStringLiteral("\"$tmp\"")));

    Sha256 hash;
    qint64 sent = 0;
    bool trailerSent = false;
    QByteArray digest;
    QString localHash;
    InputSource source = [&]() -> Result<std::optional<QByteArray>> {
        if (sent < total) {
            const QByteArray chunk = file.read(qMin(ChunkSize, total - sent));
            if (chunk.isEmpty())
                return fail(tr("Reading %1 failed: %2").arg(localPath, file.errorString()));
            if (options.expectedSha256.isEmpty())
                hash.addData(chunk);
            sent += chunk.size();
            if (options.onProgress)
                options.onProgress(sent, total);
            return chunk;
        }
        if (trailerSent)
            return QByteArray();
        trailerSent = true;
        digest = options.expectedSha256.isEmpty() ? hash.result() : options.expectedSha256;
        localHash = QString::fromLatin1(digest.toHex());
        return localHash.toLatin1() + '\n';
    };
    QString lastLine;
    ExecOptions execOptions;
    execOptions.cancel = options.cancel;
    execOptions.onStdout = [&](const QString &line) { lastLine = line; };
    auto ran = runCommand(script, execOptions, source);
    if (!ran)
        return std::unexpected(ran.error());
    const QString detail = ran->lastStderr.join(QStringLiteral(" / "));
    // A cancel that came after the last byte went out lets the upload finish.
    if (ran->cancelled && ran->exitStatus != 0)
        return fail(tr("The upload of %1 to %2 was cancelled; the partial file was removed.").arg(localPath, where()));
    switch (ran->exitStatus) {
    case 0:
        break;
    case 3:
        return fail(tr("Writing %1 on %2 failed: %3").arg(remotePath, where(), detail),
                    tr("Check free space (df) and permissions of the target directory on the server."));
    case 4:
        return fail(tr("The upload to %1 was incomplete (%2); the partial file was removed.").arg(where(), detail),
                    tr("Check the connection and retry."));
    case 5:
        return fail(tr("The file arrived damaged on %1 (%2); it was removed.").arg(where(), detail),
                    tr("Retry; if it happens again, check the server's disk and memory."));
    case 6:
        return fail(tr("Moving the uploaded file into place as %1 on %2 failed: %3").arg(remotePath, where(), detail),
                    tr("Check the permissions of the target directory on the server."));
    default:
        return fail(tr("The upload to %1 failed with exit code %2: %3").arg(where()).arg(ran->exitStatus).arg(detail),
                    tr("The server needs a POSIX shell with dd or head, wc and sha256sum."));
    }
    if (lastLine != localHash)
        return fail(tr("The server confirmed a different sha256 for %1 on %2.").arg(remotePath, where()),
                    tr("Retry the upload."));
    return digest;
}

bool SshSession::stillAnswers(int timeoutMs)
{
    if (!m_session || m_socket < 0)
        return false;
    // An idle server sends nothing; anything readable is a hang-up or a message we did not wait for.
    pollfd watch{m_socket, POLLIN | POLLRDHUP, 0};
    if (::poll(&watch, 1, 0) != 0)
        return false;
    return openChannel(QDeadlineTimer(timeoutMs), nullptr).has_value();
}

bool SshSession::hostKeyStillTrusted(const KnownHosts &knownHosts) const
{
    HostKeyInfo now = m_hostKey;
    knownHosts.check(now);
    return now.state == HostKeyState::Known;
}

void SshSession::keepalive()
{
    int next = 0;
    if (m_session)
        libssh2_keepalive_send(m_session.get(), &next);
}

} // namespace rd
