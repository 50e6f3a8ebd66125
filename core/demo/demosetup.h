#pragma once

#include "common/error.h"

#include <QObject>
#include <QStringList>

#include <memory>

class QThread;

namespace rd {

class Workspace;

// What a newcomer sees on first start (`releasedesk --demo`): a sample project from a git
// repository generated here, three real sshd servers on loopback with their own deploy roots (the
// test-server script), and an inventory that holds them, ready for a first release. The repository,
// the servers and the mirror are made on a worker thread; the inventory is written on the caller's
// thread, which owns it. The servers stop with stop() (or when this object goes).
class DemoSetup : public QObject
{
    Q_OBJECT

public:
    static constexpr int ServerCount = 3;

    DemoSetup(Workspace &workspace, QString testHostsScript, QObject *parent = nullptr);
    ~DemoSetup() override;

    // finished() follows; calling it again on the same data directory reuses what is there.
    void start();
    // Ends the demo servers (blocks for as long as the script takes, about a second).
    void stop();

    static QString projectName() { return QStringLiteral("demo-shop"); }
    // The script beside the executable (where the build puts it), else in the source tree.
    static QString findTestHostsScript();
    QString repositoryPath() const;
    QString serversDirectory() const;

signals:
    void progress(const QString &message);
    void finished(bool ok, const QString &error);

private:
    struct Hosts;

    Result<> fillInventory(const Hosts &hosts);

    Workspace &m_workspace;
    QString m_dataDir;
    QString m_script;
    std::unique_ptr<QThread> m_worker;
    bool m_serversStarted = false;
};

} // namespace rd
