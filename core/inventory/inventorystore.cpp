#include "inventorystore.h"

#include "validator.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>
#include <QVariant>

namespace rd {

namespace {

// Each entry moves the schema one version up. Never edit a shipped entry: add a new one.
const char *const Migrations[] = {
    // 1: the first inventory.
    R"sql(
    CREATE TABLE keys (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        username TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('stored', 'file', 'agent')),
        public_key TEXT NOT NULL DEFAULT '',
        fingerprint TEXT NOT NULL DEFAULT '',
        key_path TEXT NOT NULL DEFAULT '',
        sealed_private_key BLOB,
        sealed_passphrase BLOB,
        enabled INTEGER NOT NULL DEFAULT 1);
    CREATE TABLE servers (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        host TEXT NOT NULL,
        port INTEGER NOT NULL DEFAULT 22,
        key_id INTEGER REFERENCES keys(id),
        username TEXT NOT NULL DEFAULT '',
        department TEXT NOT NULL DEFAULT '',
        owner TEXT NOT NULL DEFAULT '',
        tags TEXT NOT NULL DEFAULT '',
        notes TEXT NOT NULL DEFAULT '',
        enabled INTEGER NOT NULL DEFAULT 1);
    CREATE TABLE projects (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        git_url TEXT NOT NULL,
        default_branch TEXT NOT NULL DEFAULT 'main',
        keep_releases INTEGER NOT NULL DEFAULT 5,
        package_excludes TEXT NOT NULL DEFAULT '');
    CREATE TABLE environments (
        id INTEGER PRIMARY KEY,
        project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        deploy_root TEXT NOT NULL,
        shared_paths TEXT NOT NULL DEFAULT '',
        parallelism INTEGER NOT NULL DEFAULT 10,
        UNIQUE (project_id, name));
    CREATE TABLE environment_servers (
        environment_id INTEGER NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
        server_id INTEGER NOT NULL REFERENCES servers(id),
        position INTEGER NOT NULL,
        PRIMARY KEY (environment_id, server_id));
    )sql",
    // 2: hook templates, the vault, and a default strategy per environment.
    R"sql(
    CREATE TABLE hook_templates (
        id INTEGER PRIMARY KEY,
        title TEXT NOT NULL UNIQUE,
        stage TEXT NOT NULL CHECK (stage IN ('before-download', 'after-download', 'before-release', 'after-release')),
        script TEXT NOT NULL);
    CREATE TABLE vault (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        salt BLOB NOT NULL,
        ops_limit INTEGER NOT NULL,
        mem_limit INTEGER NOT NULL,
        verifier BLOB NOT NULL);
    ALTER TABLE environments ADD COLUMN strategy TEXT NOT NULL DEFAULT 'full';
    CREATE INDEX environment_servers_server ON environment_servers(server_id);
    CREATE INDEX servers_key ON servers(key_id);
    )sql",
    // 3: consent to fetch a project over an unauthenticated transport (http://, git://).
    R"sql(
    ALTER TABLE projects ADD COLUMN allow_unauthenticated INTEGER NOT NULL DEFAULT 0;
    )sql",
};
static_assert(std::size(Migrations) == InventoryStore::SchemaVersion);

QString joinLines(const QStringList &list) { return list.join(u'\n'); }
QStringList splitLines(const QString &text) { return text.split(u'\n', Qt::SkipEmptyParts); }

Error sqlError(const QSqlQuery &query, const QString &what)
{
    return Error{InventoryStore::tr("The inventory database could not %1: %2").arg(what, query.lastError().text()),
                 InventoryStore::tr("Check that the data directory is writable and the disk is not full."), {}};
}

Result<QSqlQuery> run(const QSqlDatabase &db, const QString &sql, const QVariantList &values, const QString &what)
{
    QSqlQuery query(db);
    query.setForwardOnly(true);
    if (!query.prepare(sql))
        return std::unexpected(sqlError(query, what));
    for (const QVariant &value : values) {
        // A null QString would bind as SQL NULL; the text columns are NOT NULL with '' for "none".
        if (value.typeId() == QMetaType::QString && value.toString().isNull())
            query.addBindValue(QStringLiteral(""));
        else
            query.addBindValue(value);
    }
    if (!query.exec())
        return std::unexpected(sqlError(query, what));
    return query;
}

QVariant blobOrNull(const QByteArray &blob)
{
    return blob.isEmpty() ? QVariant(QMetaType(QMetaType::QByteArray)) : QVariant(blob);
}

QVariant idOrNull(qint64 id) { return id > 0 ? QVariant(id) : QVariant(QMetaType(QMetaType::LongLong)); }

Result<> validated(const QList<Error> &errors)
{
    if (errors.isEmpty())
        return {};
    return std::unexpected(Validator::combine(errors));
}

const QString KeyColumns = QStringLiteral(
    "id, name, username, kind, public_key, fingerprint, key_path, sealed_private_key, sealed_passphrase, enabled");
const QString ServerColumns =
    QStringLiteral("id, name, host, port, key_id, username, department, owner, tags, notes, enabled");
const QString ProjectColumns =
    QStringLiteral("id, name, git_url, default_branch, keep_releases, package_excludes, allow_unauthenticated");
const QString EnvironmentColumns =
    QStringLiteral("id, project_id, name, deploy_root, shared_paths, parallelism, strategy");

SshKey keyFrom(const QSqlQuery &q)
{
    SshKey key;
    key.id = q.value(0).toLongLong();
    key.name = q.value(1).toString();
    key.username = q.value(2).toString();
    keyKindFromName(q.value(3).toString(), &key.kind);
    key.publicKey = q.value(4).toString();
    key.fingerprint = q.value(5).toString();
    key.keyPath = q.value(6).toString();
    key.sealedPrivateKey = q.value(7).toByteArray();
    key.sealedPassphrase = q.value(8).toByteArray();
    key.enabled = q.value(9).toBool();
    return key;
}

Server serverFrom(const QSqlQuery &q)
{
    Server server;
    server.id = q.value(0).toLongLong();
    server.name = q.value(1).toString();
    server.host = q.value(2).toString();
    server.port = q.value(3).toInt();
    server.keyId = q.value(4).toLongLong();
    server.username = q.value(5).toString();
    server.department = q.value(6).toString();
    server.owner = q.value(7).toString();
    server.tags = q.value(8).toString().split(u',', Qt::SkipEmptyParts);
    server.notes = q.value(9).toString();
    server.enabled = q.value(10).toBool();
    return server;
}

Project projectFrom(const QSqlQuery &q)
{
    Project project;
    project.id = q.value(0).toLongLong();
    project.name = q.value(1).toString();
    project.gitUrl = q.value(2).toString();
    project.defaultBranch = q.value(3).toString();
    project.keepReleases = q.value(4).toInt();
    project.packageExcludes = splitLines(q.value(5).toString());
    project.allowUnauthenticated = q.value(6).toBool();
    return project;
}

Environment environmentFrom(const QSqlQuery &q)
{
    Environment environment;
    environment.id = q.value(0).toLongLong();
    environment.projectId = q.value(1).toLongLong();
    environment.name = q.value(2).toString();
    environment.deployRoot = q.value(3).toString();
    environment.sharedPaths = splitLines(q.value(4).toString());
    environment.parallelism = q.value(5).toInt();
    environment.strategy = q.value(6).toString();
    return environment;
}

HookTemplate hookFrom(const QSqlQuery &q)
{
    HookTemplate hook;
    hook.id = q.value(0).toLongLong();
    hook.title = q.value(1).toString();
    hookStageFromName(q.value(2).toString(), &hook.stage);
    hook.script = q.value(3).toString();
    return hook;
}

template <typename T>
Result<QList<T>> listOf(const QSqlDatabase &db, const QString &sql, T (*from)(const QSqlQuery &))
{
    auto query = run(db, sql, {}, InventoryStore::tr("be read"));
    if (!query)
        return std::unexpected(query.error());
    QList<T> items;
    while (query->next())
        items.append(from(*query));
    return items;
}

template <typename T>
Result<T> oneOf(const QSqlDatabase &db, const QString &sql, qint64 id, T (*from)(const QSqlQuery &),
                const QString &what)
{
    auto query = run(db, sql, {id}, InventoryStore::tr("be read"));
    if (!query)
        return std::unexpected(query.error());
    if (!query->next())
        return fail(InventoryStore::tr("There is no %1 with id %2.").arg(what).arg(id),
                    InventoryStore::tr("List them to see which ones exist."));
    return from(*query);
}

Result<> changedOne(Result<QSqlQuery> query, const QString &what, qint64 id)
{
    if (!query)
        return std::unexpected(query.error());
    if (query->numRowsAffected() == 0)
        return fail(InventoryStore::tr("There is no %1 with id %2.").arg(what).arg(id),
                    InventoryStore::tr("List them to see which ones exist."));
    return {};
}

qint64 scalarId(const QSqlDatabase &db, const QString &sql, const QVariantList &values)
{
    auto query = run(db, sql, values, QString());
    return query && query->next() ? query->value(0).toLongLong() : 0;
}

} // namespace

Result<std::unique_ptr<InventoryStore>> InventoryStore::open(const QString &path)
{
    const QFileInfo info(path);
    const bool newDirectory = !QFileInfo::exists(info.absolutePath());
    if (!QDir().mkpath(info.absolutePath()))
        return fail(tr("Could not create the data directory %1.").arg(info.absolutePath()),
                    tr("Choose another one with --data-dir or RELEASEDESK_HOME."));
    if (newDirectory)
        QFile::setPermissions(info.absolutePath(),
                              QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    // 0600 before SQLite opens it (its -wal and -shm files copy these permissions), and again on every
    // open, for a database copied in with looser ones.
    QFile file(path);
    if ((!info.exists() && !file.open(QIODevice::WriteOnly))
        || !file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner))
        return fail(tr("Could not create the inventory database %1: %2").arg(path, file.errorString()),
                    tr("Check the permissions of the data directory."));

    std::unique_ptr<InventoryStore> store(new InventoryStore);
    store->m_path = info.absoluteFilePath();
    store->m_connection = QStringLiteral("inventory-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
    store->m_ownerThread = QThread::currentThread();
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), store->m_connection);
    db.setDatabaseName(store->m_path);
    db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
    if (!db.open())
        return fail(tr("Could not open the inventory database %1: %2").arg(path, db.lastError().text()),
                    tr("Check that it is a ReleaseDesk database and that its directory is writable."));
    for (const char *pragma : {"PRAGMA journal_mode=WAL", "PRAGMA foreign_keys=ON", "PRAGMA synchronous=NORMAL"}) {
        if (auto query = run(db, QString::fromLatin1(pragma), {}, tr("be configured")); !query)
            return std::unexpected(query.error());
    }
    if (auto migrated = store->migrate(); !migrated)
        return std::unexpected(migrated.error());
    return store;
}

InventoryStore::~InventoryStore()
{
    {
        QSqlDatabase db = QSqlDatabase::database(m_connection, false);
        if (db.isOpen())
            db.close();
    }
    QSqlDatabase::removeDatabase(m_connection);
}

QSqlDatabase InventoryStore::db() const { return QSqlDatabase::database(m_connection, false); }

int InventoryStore::schemaVersion() const
{
    auto query = run(db(), QStringLiteral("PRAGMA user_version"), {}, tr("be read"));
    return query && query->next() ? query->value(0).toInt() : -1;
}

Result<> InventoryStore::migrate()
{
    const int current = schemaVersion();
    if (current < 0)
        return fail(tr("The inventory database %1 could not be read.").arg(m_path));
    if (current > SchemaVersion)
        return fail(tr("The inventory database was written by a newer ReleaseDesk (schema %1, this one knows %2).")
                        .arg(current)
                        .arg(SchemaVersion),
                    tr("Upgrade ReleaseDesk, or point --data-dir at another directory."));
    for (int version = current; version < SchemaVersion; ++version) {
        auto step = transaction([&]() -> Result<> {
            const QStringList statements =
                QString::fromUtf8(Migrations[version]).split(u';', Qt::SkipEmptyParts);
            for (const QString &statement : statements) {
                if (statement.trimmed().isEmpty())
                    continue;
                if (auto query = run(db(), statement, {}, tr("be upgraded")); !query)
                    return std::unexpected(query.error());
            }
            if (auto query = run(db(), QStringLiteral("PRAGMA user_version=%1").arg(version + 1), {},
                                 tr("be upgraded"));
                !query)
                return std::unexpected(query.error());
            return {};
        });
        if (!step)
            return step;
    }
    return {};
}

Result<> InventoryStore::checkWriter() const
{
    if (QThread::currentThread() != m_ownerThread)
        return fail(tr("The inventory was written from a worker thread."),
                    tr("This is a bug in ReleaseDesk: only the thread that opened the inventory may write it."));
    return {};
}

Result<> InventoryStore::writable(const QList<Error> &fieldErrors) const
{
    if (auto writer = checkWriter(); !writer)
        return writer;
    return validated(fieldErrors);
}

Result<> InventoryStore::transaction(const std::function<Result<>()> &work)
{
    if (auto writer = checkWriter(); !writer)
        return writer;
    if (m_inTransaction) // nested: the outermost transaction commits or rolls back the whole
        return work();
    // IMMEDIATE takes the write lock at once, so what the work reads cannot be changed by another
    // process (the CLI next to the GUI) before it writes.
    if (auto begun = run(db(), QStringLiteral("BEGIN IMMEDIATE"), {}, tr("start a transaction")); !begun)
        return std::unexpected(begun.error());
    m_inTransaction = true;
    Result<> result = work();
    m_inTransaction = false;
    if (!result) {
        run(db(), QStringLiteral("ROLLBACK"), {}, tr("undo the change"));
        return result;
    }
    if (auto committed = run(db(), QStringLiteral("COMMIT"), {}, tr("save the change")); !committed) {
        run(db(), QStringLiteral("ROLLBACK"), {}, tr("undo the change"));
        return std::unexpected(committed.error());
    }
    return {};
}

// ---- keys

Result<QList<SshKey>> InventoryStore::keys() const
{
    return listOf<SshKey>(db(), QStringLiteral("SELECT %1 FROM keys ORDER BY name").arg(KeyColumns), keyFrom);
}

Result<SshKey> InventoryStore::key(qint64 id) const
{
    return oneOf<SshKey>(db(), QStringLiteral("SELECT %1 FROM keys WHERE id = ?").arg(KeyColumns), id, keyFrom,
                         tr("key"));
}

Result<qint64> InventoryStore::addKey(const SshKey &key)
{
    if (auto ok = writable(Validator::check(key)); !ok)
        return std::unexpected(ok.error());
    if (keyId(key.name))
        return fail(tr("A key named \"%1\" already exists.").arg(key.name), tr("Choose another name."),
                    QStringLiteral("name"));
    auto query = run(db(),
                     QStringLiteral("INSERT INTO keys (name, username, kind, public_key, fingerprint, key_path, "
                                    "sealed_private_key, sealed_passphrase, enabled) VALUES (?,?,?,?,?,?,?,?,?)"),
                     {key.name, key.username, keyKindName(key.kind), key.publicKey, key.fingerprint, key.keyPath,
                      blobOrNull(key.sealedPrivateKey), blobOrNull(key.sealedPassphrase), key.enabled},
                     tr("save the key"));
    if (!query)
        return std::unexpected(query.error());
    return query->lastInsertId().toLongLong();
}

Result<> InventoryStore::updateKey(const SshKey &key)
{
    if (auto ok = writable(Validator::check(key)); !ok)
        return ok;
    if (const qint64 other = keyId(key.name); other && other != key.id)
        return fail(tr("A key named \"%1\" already exists.").arg(key.name), tr("Choose another name."),
                    QStringLiteral("name"));
    return changedOne(run(db(),
                          QStringLiteral("UPDATE keys SET name=?, username=?, kind=?, public_key=?, fingerprint=?, "
                                         "key_path=?, sealed_private_key=?, sealed_passphrase=?, enabled=? "
                                         "WHERE id=?"),
                          {key.name, key.username, keyKindName(key.kind), key.publicKey, key.fingerprint,
                           key.keyPath, blobOrNull(key.sealedPrivateKey), blobOrNull(key.sealedPassphrase),
                           key.enabled, key.id},
                          tr("save the key")),
                      tr("key"), key.id);
}

Result<> InventoryStore::removeKey(qint64 id)
{
    if (auto ok = checkWriter(); !ok)
        return ok;
    if (const QStringList users = usersOfKey(id); !users.isEmpty())
        return fail(tr("The key is still used by: %1.").arg(users.join(QStringLiteral(", "))),
                    tr("Give those servers another key first, then remove this one."));
    return changedOne(run(db(), QStringLiteral("DELETE FROM keys WHERE id=?"), {id}, tr("remove the key")),
                      tr("key"), id);
}

// ---- servers

Result<QList<Server>> InventoryStore::servers() const
{
    return listOf<Server>(db(), QStringLiteral("SELECT %1 FROM servers ORDER BY name").arg(ServerColumns),
                          serverFrom);
}

Result<Server> InventoryStore::server(qint64 id) const
{
    return oneOf<Server>(db(), QStringLiteral("SELECT %1 FROM servers WHERE id = ?").arg(ServerColumns), id,
                         serverFrom, tr("server"));
}

namespace {

// "[2001:db8::1]" and "2001:db8::1" are one host: stored without the brackets.
Server withPlainHost(Server server)
{
    if (server.host.startsWith(u'[') && server.host.endsWith(u']'))
        server.host = server.host.mid(1, server.host.size() - 2);
    return server;
}

} // namespace

Result<qint64> InventoryStore::addServer(const Server &input)
{
    const Server server = withPlainHost(input);
    if (auto ok = writable(Validator::check(server)); !ok)
        return std::unexpected(ok.error());
    if (serverId(server.name))
        return fail(tr("A server named \"%1\" already exists.").arg(server.name), tr("Choose another name."),
                    QStringLiteral("name"));
    if (server.keyId && !key(server.keyId))
        return fail(tr("The server's key (id %1) does not exist.").arg(server.keyId),
                    tr("Choose one of the stored keys."), QStringLiteral("key"));
    auto query = run(db(),
                     QStringLiteral("INSERT INTO servers (name, host, port, key_id, username, department, owner, "
                                    "tags, notes, enabled) VALUES (?,?,?,?,?,?,?,?,?,?)"),
                     {server.name, server.host, server.port, idOrNull(server.keyId), server.username,
                      server.department, server.owner, server.tags.join(u','), server.notes, server.enabled},
                     tr("save the server"));
    if (!query)
        return std::unexpected(query.error());
    return query->lastInsertId().toLongLong();
}

Result<> InventoryStore::updateServer(const Server &input)
{
    const Server server = withPlainHost(input);
    if (auto ok = writable(Validator::check(server)); !ok)
        return ok;
    if (const qint64 other = serverId(server.name); other && other != server.id)
        return fail(tr("A server named \"%1\" already exists.").arg(server.name), tr("Choose another name."),
                    QStringLiteral("name"));
    if (server.keyId && !key(server.keyId))
        return fail(tr("The server's key (id %1) does not exist.").arg(server.keyId),
                    tr("Choose one of the stored keys."), QStringLiteral("key"));
    return changedOne(run(db(),
                          QStringLiteral("UPDATE servers SET name=?, host=?, port=?, key_id=?, username=?, "
                                         "department=?, owner=?, tags=?, notes=?, enabled=? WHERE id=?"),
                          {server.name, server.host, server.port, idOrNull(server.keyId), server.username,
                           server.department, server.owner, server.tags.join(u','), server.notes, server.enabled,
                           server.id},
                          tr("save the server")),
                      tr("server"), server.id);
}

Result<> InventoryStore::removeServer(qint64 id)
{
    if (auto ok = checkWriter(); !ok)
        return ok;
    if (const QStringList users = usersOfServer(id); !users.isEmpty())
        return fail(tr("The server is still used by: %1.").arg(users.join(QStringLiteral(", "))),
                    tr("Remove it from those environments first, then remove it."));
    return changedOne(run(db(), QStringLiteral("DELETE FROM servers WHERE id=?"), {id}, tr("remove the server")),
                      tr("server"), id);
}

// ---- projects

Result<QList<Project>> InventoryStore::projects() const
{
    return listOf<Project>(db(), QStringLiteral("SELECT %1 FROM projects ORDER BY name").arg(ProjectColumns),
                           projectFrom);
}

Result<Project> InventoryStore::project(qint64 id) const
{
    return oneOf<Project>(db(), QStringLiteral("SELECT %1 FROM projects WHERE id = ?").arg(ProjectColumns), id,
                          projectFrom, tr("project"));
}

Result<qint64> InventoryStore::addProject(const Project &project)
{
    if (auto ok = writable(Validator::check(project)); !ok)
        return std::unexpected(ok.error());
    if (projectId(project.name))
        return fail(tr("A project named \"%1\" already exists.").arg(project.name), tr("Choose another name."),
                    QStringLiteral("name"));
    auto query = run(db(),
                     QStringLiteral("INSERT INTO projects (name, git_url, default_branch, keep_releases, "
                                    "package_excludes, allow_unauthenticated) VALUES (?,?,?,?,?,?)"),
                     {project.name, project.gitUrl, project.defaultBranch, project.keepReleases,
                      joinLines(project.packageExcludes), project.allowUnauthenticated},
                     tr("save the project"));
    if (!query)
        return std::unexpected(query.error());
    return query->lastInsertId().toLongLong();
}

Result<> InventoryStore::updateProject(const Project &project)
{
    if (auto ok = writable(Validator::check(project)); !ok)
        return ok;
    if (const qint64 other = projectId(project.name); other && other != project.id)
        return fail(tr("A project named \"%1\" already exists.").arg(project.name), tr("Choose another name."),
                    QStringLiteral("name"));
    return changedOne(run(db(),
                          QStringLiteral("UPDATE projects SET name=?, git_url=?, default_branch=?, keep_releases=?, "
                                         "package_excludes=?, allow_unauthenticated=? WHERE id=?"),
                          {project.name, project.gitUrl, project.defaultBranch, project.keepReleases,
                           joinLines(project.packageExcludes), project.allowUnauthenticated, project.id},
                          tr("save the project")),
                      tr("project"), project.id);
}

Result<> InventoryStore::removeProject(qint64 id)
{
    // Its environments go with it (ON DELETE CASCADE); servers and keys stay.
    if (auto ok = checkWriter(); !ok)
        return ok;
    return changedOne(run(db(), QStringLiteral("DELETE FROM projects WHERE id=?"), {id}, tr("remove the project")),
                      tr("project"), id);
}

// ---- environments

namespace {

Result<> loadServerIds(const QSqlDatabase &db, QList<Environment> &environments)
{
    auto query = run(db,
                     QStringLiteral("SELECT environment_id, server_id FROM environment_servers "
                                    "ORDER BY environment_id, position"),
                     {}, InventoryStore::tr("be read"));
    if (!query)
        return std::unexpected(query.error());
    QHash<qint64, QList<qint64>> byEnvironment;
    while (query->next())
        byEnvironment[query->value(0).toLongLong()].append(query->value(1).toLongLong());
    for (Environment &environment : environments)
        environment.serverIds = byEnvironment.value(environment.id);
    return {};
}

} // namespace

Result<QList<Environment>> InventoryStore::environments() const
{
    auto list = listOf<Environment>(
        db(),
        QStringLiteral("SELECT e.id, e.project_id, e.name, e.deploy_root, e.shared_paths, e.parallelism, "
                       "e.strategy FROM environments e JOIN projects p ON p.id = e.project_id "
                       "ORDER BY p.name, e.name"),
        environmentFrom);
    if (!list)
        return list;
    if (auto loaded = loadServerIds(db(), *list); !loaded)
        return std::unexpected(loaded.error());
    return list;
}

Result<Environment> InventoryStore::environment(qint64 id) const
{
    auto environment =
        oneOf<Environment>(db(), QStringLiteral("SELECT %1 FROM environments WHERE id = ?").arg(EnvironmentColumns),
                           id, environmentFrom, tr("environment"));
    if (!environment)
        return environment;
    auto query = run(db(),
                     QStringLiteral("SELECT server_id FROM environment_servers WHERE environment_id = ? "
                                    "ORDER BY position"),
                     {id}, tr("be read"));
    if (!query)
        return std::unexpected(query.error());
    while (query->next())
        environment->serverIds.append(query->value(0).toLongLong());
    return environment;
}

Result<qint64> InventoryStore::addEnvironment(const Environment &environment)
{
    if (auto ok = writable(Validator::check(environment)); !ok)
        return std::unexpected(ok.error());
    auto owner = project(environment.projectId);
    if (!owner)
        return std::unexpected(owner.error());
    if (environmentId(owner->name, environment.name))
        return fail(tr("Project \"%1\" already has an environment named \"%2\".").arg(owner->name, environment.name),
                    tr("Choose another name."), QStringLiteral("name"));
    qint64 id = 0;
    auto saved = transaction([&]() -> Result<> {
        auto query = run(db(),
                         QStringLiteral("INSERT INTO environments (project_id, name, deploy_root, shared_paths, "
                                        "parallelism, strategy) VALUES (?,?,?,?,?,?)"),
                         {environment.projectId, environment.name, environment.deployRoot,
                          joinLines(environment.sharedPaths), environment.parallelism, environment.strategy},
                         tr("save the environment"));
        if (!query)
            return std::unexpected(query.error());
        id = query->lastInsertId().toLongLong();
        return setEnvironmentServers(id, environment.serverIds);
    });
    if (!saved)
        return std::unexpected(saved.error());
    return id;
}

Result<> InventoryStore::updateEnvironment(const Environment &environment)
{
    if (auto ok = writable(Validator::check(environment)); !ok)
        return ok;
    auto owner = project(environment.projectId);
    if (!owner)
        return std::unexpected(owner.error());
    if (const qint64 other = environmentId(owner->name, environment.name); other && other != environment.id)
        return fail(tr("Project \"%1\" already has an environment named \"%2\".").arg(owner->name, environment.name),
                    tr("Choose another name."), QStringLiteral("name"));
    return transaction([&]() -> Result<> {
        auto changed = changedOne(run(db(),
                                      QStringLiteral("UPDATE environments SET project_id=?, name=?, deploy_root=?, "
                                                     "shared_paths=?, parallelism=?, strategy=? WHERE id=?"),
                                      {environment.projectId, environment.name, environment.deployRoot,
                                       joinLines(environment.sharedPaths), environment.parallelism,
                                       environment.strategy, environment.id},
                                      tr("save the environment")),
                                  tr("environment"), environment.id);
        if (!changed)
            return changed;
        return setEnvironmentServers(environment.id, environment.serverIds);
    });
}

Result<> InventoryStore::removeEnvironment(qint64 id)
{
    if (auto ok = checkWriter(); !ok)
        return ok;
    return changedOne(run(db(), QStringLiteral("DELETE FROM environments WHERE id=?"), {id},
                          tr("remove the environment")),
                      tr("environment"), id);
}

Result<> InventoryStore::setEnvironmentServers(qint64 environmentId, const QList<qint64> &serverIds)
{
    return transaction([&]() -> Result<> {
        for (qsizetype i = 0; i < serverIds.size(); ++i) {
            if (serverIds.indexOf(serverIds[i]) != i)
                return fail(tr("A server is listed twice."), tr("Each server can be in an environment once."),
                            QStringLiteral("servers"));
            if (!scalarId(db(), QStringLiteral("SELECT id FROM servers WHERE id=?"), {serverIds[i]}))
                return fail(tr("There is no server with id %1.").arg(serverIds[i]),
                            tr("List the servers to see which ones exist."), QStringLiteral("servers"));
        }
        if (auto cleared = run(db(), QStringLiteral("DELETE FROM environment_servers WHERE environment_id=?"),
                               {environmentId}, tr("save the environment's servers"));
            !cleared)
            return std::unexpected(cleared.error());
        for (qsizetype i = 0; i < serverIds.size(); ++i) {
            if (auto inserted = run(db(),
                                    QStringLiteral("INSERT INTO environment_servers (environment_id, server_id, "
                                                   "position) VALUES (?,?,?)"),
                                    {environmentId, serverIds[i], qint64(i)}, tr("save the environment's servers"));
                !inserted)
                return std::unexpected(inserted.error());
        }
        return {};
    });
}

// ---- hook templates

Result<QList<HookTemplate>> InventoryStore::hookTemplates() const
{
    return listOf<HookTemplate>(
        db(),
        QStringLiteral("SELECT id, title, stage, script FROM hook_templates ORDER BY CASE stage "
                       "WHEN 'before-download' THEN 1 WHEN 'after-download' THEN 2 WHEN 'before-release' THEN 3 "
                       "ELSE 4 END, title"),
        hookFrom);
}

Result<HookTemplate> InventoryStore::hookTemplate(qint64 id) const
{
    return oneOf<HookTemplate>(db(), QStringLiteral("SELECT id, title, stage, script FROM hook_templates WHERE id=?"),
                               id, hookFrom, tr("hook template"));
}

Result<qint64> InventoryStore::addHookTemplate(const HookTemplate &hook)
{
    if (auto ok = writable(Validator::check(hook)); !ok)
        return std::unexpected(ok.error());
    if (hookTemplateId(hook.title))
        return fail(tr("A hook template titled \"%1\" already exists.").arg(hook.title), tr("Choose another title."),
                    QStringLiteral("title"));
    auto query = run(db(), QStringLiteral("INSERT INTO hook_templates (title, stage, script) VALUES (?,?,?)"),
                     {hook.title, hookStageName(hook.stage), hook.script}, tr("save the hook template"));
    if (!query)
        return std::unexpected(query.error());
    return query->lastInsertId().toLongLong();
}

Result<> InventoryStore::updateHookTemplate(const HookTemplate &hook)
{
    if (auto ok = writable(Validator::check(hook)); !ok)
        return ok;
    if (const qint64 other = hookTemplateId(hook.title); other && other != hook.id)
        return fail(tr("A hook template titled \"%1\" already exists.").arg(hook.title), tr("Choose another title."),
                    QStringLiteral("title"));
    return changedOne(run(db(), QStringLiteral("UPDATE hook_templates SET title=?, stage=?, script=? WHERE id=?"),
                          {hook.title, hookStageName(hook.stage), hook.script, hook.id}, tr("save the hook template")),
                      tr("hook template"), hook.id);
}

Result<> InventoryStore::removeHookTemplate(qint64 id)
{
    if (auto ok = checkWriter(); !ok)
        return ok;
    return changedOne(run(db(), QStringLiteral("DELETE FROM hook_templates WHERE id=?"), {id},
                          tr("remove the hook template")),
                      tr("hook template"), id);
}

// ---- look-ups

qint64 InventoryStore::keyId(const QString &name) const
{
    return scalarId(db(), QStringLiteral("SELECT id FROM keys WHERE name=?"), {name});
}

qint64 InventoryStore::serverId(const QString &name) const
{
    return scalarId(db(), QStringLiteral("SELECT id FROM servers WHERE name=?"), {name});
}

qint64 InventoryStore::projectId(const QString &name) const
{
    return scalarId(db(), QStringLiteral("SELECT id FROM projects WHERE name=?"), {name});
}

qint64 InventoryStore::environmentId(const QString &projectName, const QString &name) const
{
    return scalarId(db(),
                    QStringLiteral("SELECT e.id FROM environments e JOIN projects p ON p.id = e.project_id "
                                   "WHERE p.name=? AND e.name=?"),
                    {projectName, name});
}

qint64 InventoryStore::hookTemplateId(const QString &title) const
{
    return scalarId(db(), QStringLiteral("SELECT id FROM hook_templates WHERE title=?"), {title});
}

QStringList InventoryStore::usersOfKey(qint64 id) const
{
    QStringList users;
    auto query = run(db(), QStringLiteral("SELECT name FROM servers WHERE key_id=? ORDER BY name"), {id}, {});
    while (query && query->next())
        users.append(tr("server %1").arg(query->value(0).toString()));
    return users;
}

namespace {

const QString ServerUsersQuery = QStringLiteral("SELECT es.server_id, p.name, e.name FROM environment_servers es "
                                                "JOIN environments e ON e.id = es.environment_id "
                                                "JOIN projects p ON p.id = e.project_id %1 "
                                                "ORDER BY p.name, e.name");

} // namespace

QStringList InventoryStore::usersOfServer(qint64 id) const
{
    QStringList users;
    auto query = run(db(), ServerUsersQuery.arg(QStringLiteral("WHERE es.server_id=?")), {id}, {});
    while (query && query->next())
        users.append(tr("environment %1/%2").arg(query->value(1).toString(), query->value(2).toString()));
    return users;
}

QHash<qint64, QStringList> InventoryStore::usersOfServers() const
{
    QHash<qint64, QStringList> users;
    auto query = run(db(), ServerUsersQuery.arg(QString()), {}, {});
    while (query && query->next())
        users[query->value(0).toLongLong()].append(
            tr("environment %1/%2").arg(query->value(1).toString(), query->value(2).toString()));
    return users;
}

// ---- vault storage

Result<std::optional<VaultRecord>> InventoryStore::vaultRecord() const
{
    auto query =
        run(db(), QStringLiteral("SELECT salt, ops_limit, mem_limit, verifier FROM vault WHERE id=1"), {}, tr("be read"));
    if (!query)
        return std::unexpected(query.error());
    if (!query->next())
        return std::optional<VaultRecord>();
    return std::optional<VaultRecord>(VaultRecord{query->value(0).toByteArray(), query->value(1).toULongLong(),
                                                  query->value(2).toULongLong(), query->value(3).toByteArray()});
}

Result<QList<SealedSecret>> InventoryStore::sealedSecrets() const
{
    QList<SealedSecret> secrets;
    for (const QString &column : {QStringLiteral("sealed_private_key"), QStringLiteral("sealed_passphrase")}) {
        auto query = run(db(), QStringLiteral("SELECT id, %1 FROM keys WHERE %1 IS NOT NULL").arg(column), {},
                         tr("be read"));
        if (!query)
            return std::unexpected(query.error());
        while (query->next())
            secrets.append({QStringLiteral("keys"), column, query->value(0).toLongLong(), query->value(1).toByteArray()});
    }
    return secrets;
}

Result<> InventoryStore::rekey(const VaultRecord &record, const QList<SealedSecret> &secrets)
{
    static const QStringList SecretColumns{QStringLiteral("sealed_private_key"), QStringLiteral("sealed_passphrase")};
    return transaction([&]() -> Result<> {
        auto saved = run(db(),
                         QStringLiteral("INSERT OR REPLACE INTO vault (id, salt, ops_limit, mem_limit, verifier) "
                                        "VALUES (1,?,?,?,?)"),
                         {record.salt, record.opsLimit, record.memLimit, record.verifier}, tr("save the vault"));
        if (!saved)
            return std::unexpected(saved.error());
        for (const SealedSecret &secret : secrets) {
            // Table and column come from our own list only, never from input.
            if (secret.table != u"keys" || !SecretColumns.contains(secret.column))
                return fail(tr("Unknown secret column %1.%2.").arg(secret.table, secret.column));
            auto updated = run(db(), QStringLiteral("UPDATE keys SET %1=? WHERE id=?").arg(secret.column),
                               {secret.blob, secret.rowId}, tr("save the vault"));
            if (!updated)
                return std::unexpected(updated.error());
        }
        return {};
    });
}

} // namespace rd
