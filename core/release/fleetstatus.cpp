#include "fleetstatus.h"

#include "remotelayout.h"
#include "ssh/sshsession.h"
#include "versionid.h"

#include <QJsonObject>

namespace rd {

FleetStatus::FleetStatus(KnownHosts &knownHosts, QString deployRoot, int parallelism, QObject *parent)
    : QObject(parent), m_deployRoot(std::move(deployRoot)),
      // Reading changes nothing, and neither does meeting a new host key: it is refused, not trusted.
      m_pool(knownHosts, [](const HostKeyInfo &) { return HostKeyDecision::Reject; }, qMax(1, parallelism), 50)
{
    connect(&m_pool, &SshPool::jobFinished, this,
            [this](int, const QString &server, bool ok, const QString &message, const QString &hint) {
                onJobFinished(server, ok, message, hint);
            });
    // Deferred, so that finished() never arrives inside start(), even with no server to read.
    connect(&m_pool, &SshPool::idle, this, [this] {
        if (m_started)
            QMetaObject::invokeMethod(this, &FleetStatus::finish, Qt::QueuedConnection);
    });
}

FleetStatus::~FleetStatus() = default;

void FleetStatus::addServer(SshTarget target)
{
    ServerRelease server;
    server.server = target.name;
    server.host = target.host;
    m_order.append(target.name);
    m_results.insert(target.name, server);
    m_lines.insert(target.name, std::make_shared<QStringList>());
    m_pool.addServer(std::move(target));
}

void FleetStatus::addUnreachableServer(const QString &server, const QString &host, const QString &error)
{
    ServerRelease release;
    release.server = server;
    release.host = host;
    release.error = error;
    m_order.append(server);
    m_results.insert(server, release);
}

void FleetStatus::start()
{
    m_started = true;
    const QString command = RemoteLayout(m_deployRoot).stateCommand();
    const QString root = m_deployRoot;
    for (auto it = m_lines.cbegin(); it != m_lines.cend(); ++it) {
        const std::shared_ptr<QStringList> lines = it.value();
        m_pool.enqueue(it.key(), [command, root, lines](SshSession &session, const SshJobContext &context) -> Result<> {
            ExecOptions options;
            options.cancel = context.cancel;
            options.timeoutMs = 30000;
            options.onStdout = [lines](const QString &line) { lines->append(line); };
            auto result = session.exec(command, options);
            if (!result)
                return std::unexpected(result.error());
            if (!result->succeeded())
                return fail(tr("Reading %1 failed (exit %2): %3")
                                .arg(root, QString::number(result->exitStatus), result->lastStderr.join(u' ')),
                            tr("Check that the SSH user may read the deploy root."));
            return {};
        });
    }
    // Servers that could not be tried are reported as read, like the others after start() returns.
    for (const QString &server : std::as_const(m_order))
        if (!m_lines.contains(server))
            QMetaObject::invokeMethod(this, [this, server] { emit serverRead(m_results.value(server)); },
                                      Qt::QueuedConnection);
    m_pool.finishAll();
    if (m_lines.isEmpty())
        QMetaObject::invokeMethod(this, &FleetStatus::finish, Qt::QueuedConnection);
}

void FleetStatus::onJobFinished(const QString &server, bool ok, const QString &message, const QString &hint)
{
    ServerRelease &release = m_results[server];
    release.reachable = ok;
    if (!ok) {
        release.error = hint.isEmpty() ? message : message + u' ' + hint;
    } else {
        const RemoteState state = RemoteLayout::parseState(*m_lines.value(server));
        const QJsonObject &manifest = state.currentManifest;
        release.version = state.current;
        release.commit = manifest.value(QStringLiteral("commit")).toString();
        release.ref = manifest.value(QStringLiteral("ref")).toString();
        release.operatorName = manifest.value(QStringLiteral("operator")).toString();
        release.time = QDateTime::fromString(manifest.value(QStringLiteral("time")).toString(), Qt::ISODate);
        release.releases = state.releases;
        release.freeKiB = state.freeKiB;
        release.lockHolder = state.lockHolder;
        release.lockAgeSeconds = state.lockAgeSeconds;
        if (!m_expected.isEmpty())
            release.drift = release.version != m_expected;
    }
    emit serverRead(release);
}

void FleetStatus::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    if (m_expected.isEmpty()) {
        int newest = -1;
        for (const ServerRelease &release : std::as_const(m_results)) {
            const auto id = VersionId::parse(release.version);
            if (release.reachable && id && id->number > newest) {
                newest = id->number;
                m_expected = release.version;
            }
        }
    }
    // With no release anywhere there is nothing to drift from.
    for (ServerRelease &release : m_results)
        release.drift = release.reachable && !m_expected.isEmpty() && release.version != m_expected;
    emit finished(results());
}

QList<ServerRelease> FleetStatus::results() const
{
    QList<ServerRelease> results;
    for (const QString &server : m_order)
        results.append(m_results.value(server));
    return results;
}

} // namespace rd
