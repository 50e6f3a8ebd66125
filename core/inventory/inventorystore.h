#pragma once

#include "common/error.h"
#include "environment.h"
#include "hooktemplate.h"
#include "project.h"
#include "server.h"
#include "sshkey.h"
#include "vault/vaultstorage.h"

#include <QCoreApplication>
#include <QHash>
#include <QSqlDatabase>
#include <QThread>

#include <memory>
#include <optional>

namespace rd {

// The local inventory in SQLite. One instance per process, used from the thread that opened it:
// the GUI thread in the app, the main thread in the CLI. Workers never write here.
class InventoryStore : public VaultStorage
{
    Q_DECLARE_TR_FUNCTIONS(InventoryStore)

public:
    static constexpr int SchemaVersion = 3;

    static Result<std::unique_ptr<InventoryStore>> open(const QString &path);
    ~InventoryStore() override;
    InventoryStore(const InventoryStore &) = delete;
    InventoryStore &operator=(const InventoryStore &) = delete;

    QString path() const { return m_path; }
    int schemaVersion() const;

    Result<QList<SshKey>> keys() const;
    Result<SshKey> key(qint64 id) const;
    Result<qint64> addKey(const SshKey &key);
    Result<> updateKey(const SshKey &key);
    Result<> removeKey(qint64 id);

    Result<QList<Server>> servers() const;
    Result<Server> server(qint64 id) const;
    // A bracketed IPv6 host is stored without its brackets.
    Result<qint64> addServer(const Server &server);
    Result<> updateServer(const Server &server);
    Result<> removeServer(qint64 id);

    Result<QList<Project>> projects() const;
    Result<Project> project(qint64 id) const;
    Result<qint64> addProject(const Project &project);
    Result<> updateProject(const Project &project);
    Result<> removeProject(qint64 id);

    Result<QList<Environment>> environments() const;
    Result<Environment> environment(qint64 id) const;
    Result<qint64> addEnvironment(const Environment &environment);
    Result<> updateEnvironment(const Environment &environment);
    Result<> removeEnvironment(qint64 id);
    Result<> setEnvironmentServers(qint64 environmentId, const QList<qint64> &serverIds);

    Result<QList<HookTemplate>> hookTemplates() const;
    Result<HookTemplate> hookTemplate(qint64 id) const;
    Result<qint64> addHookTemplate(const HookTemplate &hook);
    Result<> updateHookTemplate(const HookTemplate &hook);
    Result<> removeHookTemplate(qint64 id);

    // Look-ups by the unique name (title for hook templates); 0 when absent.
    qint64 keyId(const QString &name) const;
    qint64 serverId(const QString &name) const;
    qint64 projectId(const QString &name) const;
    qint64 environmentId(const QString &projectName, const QString &name) const;
    qint64 hookTemplateId(const QString &title) const;

    // Who still refers to a key or server, as "server web-01" / "environment shop/prod".
    QStringList usersOfKey(qint64 id) const;
    QStringList usersOfServer(qint64 id) const;
    // usersOfServer for every server at once, for listings: one query instead of one per server.
    QHash<qint64, QStringList> usersOfServers() const;

    Result<std::optional<VaultRecord>> vaultRecord() const override;
    Result<QList<SealedSecret>> sealedSecrets() const override;
    // Replaces the vault record and every given secret in one transaction: all or nothing.
    Result<> rekey(const VaultRecord &record, const QList<SealedSecret> &secrets) override;

    // Runs `work` in one transaction; rolls back when it fails. Nests: inner calls join the outer one.
    Result<> transaction(const std::function<Result<>()> &work) override;

private:
    InventoryStore() = default;
    Result<> migrate();
    Result<> checkWriter() const;
    // Checks the thread and the fields before any write.
    Result<> writable(const QList<Error> &fieldErrors) const;
    QSqlDatabase db() const;

    QString m_path;
    QString m_connection;
    QThread *m_ownerThread = nullptr;
    bool m_inTransaction = false;
};

} // namespace rd
