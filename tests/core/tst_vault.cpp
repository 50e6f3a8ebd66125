#include "inventory/inventorystore.h"
#include "inventory/keymaterial.h"
#include "inventory/storedkeybuilder.h"
#include "vault/vault.h"

#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QProcess>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTest>
#include <QtEndian>

using namespace rd;

namespace {

const QByteArray MasterPassword = "first master password";
const QByteArray NewMasterPassword = "second master password";

struct TestKey
{
    QString name;
    QByteArray text;
    QByteArray passphrase;
};

bool sameRecord(const VaultRecord &a, const VaultRecord &b)
{
    return a.salt == b.salt && a.opsLimit == b.opsLimit && a.memLimit == b.memLimit &&
           a.verifier == b.verifier;
}

bool sameSecrets(const QList<SealedSecret> &a, const QList<SealedSecret> &b)
{
    if (a.size() != b.size())
        return false;
    for (qsizetype i = 0; i < a.size(); ++i) {
        if (a[i].table != b[i].table || a[i].column != b[i].column || a[i].rowId != b[i].rowId ||
            a[i].blob != b[i].blob)
            return false;
    }
    return true;
}

// The base64 lines of a PEM or OpenSSH file, without BEGIN/END and the PEM headers.
QList<QByteArray> bodyLines(const QByteArray &text)
{
    QList<QByteArray> lines;
    for (const QByteArray &line : text.split('\n')) {
        const QByteArray trimmed = line.trimmed();
        if (!trimmed.isEmpty() && !trimmed.startsWith("-----") && !trimmed.contains(':'))
            lines.append(trimmed);
    }
    return lines;
}

} // namespace

class TestVault : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void initializeAndReopen();
    void passwordRules();
    void wrongPasswordChangesNothing();
    void sealAndOpen();
    void tamperedOrMisplacedBlobsFail();
    void storedKeyBuilder();
    void changePassword();
    void wrongOldPasswordChangesNothing();
    void passwordChangedElsewhereLocksThisVault();
    void sealWithPassword();
    void noSecretReachesTheDisk();
    void weakerVaultIsSealedAnewAtUnlock();
    void twoFirstPasswordsKeepTheFirst();
    void secretBytesConversions();

private:
    std::unique_ptr<InventoryStore> openStore(const QString &path);
    QList<qint64> storeKeys(InventoryStore &store, const Vault &vault);

    QTemporaryDir m_keyDir;
    QList<TestKey> m_keys;
};

void TestVault::initTestCase()
{
    QVERIFY(m_keyDir.isValid());
    const QList<std::tuple<QString, QStringList, QByteArray>> specs{
        {QStringLiteral("ed25519-plain"), {QStringLiteral("-t"), QStringLiteral("ed25519")}, {}},
        {QStringLiteral("ed25519-protected"),
         {QStringLiteral("-t"), QStringLiteral("ed25519")},
         "ed pass phrase"},
        {QStringLiteral("ecdsa-pem-protected"),
         {QStringLiteral("-t"), QStringLiteral("ecdsa"), QStringLiteral("-b"), QStringLiteral("384"),
          QStringLiteral("-m"), QStringLiteral("PEM")},
         "ecdsa pem phrase"},
        {QStringLiteral("rsa-pkcs8-protected"),
         {QStringLiteral("-t"), QStringLiteral("rsa"), QStringLiteral("-b"), QStringLiteral("2048"),
          QStringLiteral("-m"), QStringLiteral("PKCS8")},
         "rsa pkcs8 phrase"},
        {QStringLiteral("rsa-pem-plain"),
         {QStringLiteral("-t"), QStringLiteral("rsa"), QStringLiteral("-b"), QStringLiteral("2048"),
          QStringLiteral("-m"), QStringLiteral("PEM")},
         {}},
    };
    for (const auto &[name, args, passphrase] : specs) {
        const QString path = m_keyDir.filePath(name);
        QProcess keygen;
        keygen.start(QStringLiteral("ssh-keygen"),
                     QStringList(args) << QStringLiteral("-q") << QStringLiteral("-N")
                                       << QString::fromLatin1(passphrase) << QStringLiteral("-f") << path);
        QVERIFY2(keygen.waitForFinished(120000) && keygen.exitCode() == 0, qPrintable(name));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        m_keys.append({name, file.readAll(), passphrase});
    }
}

std::unique_ptr<InventoryStore> TestVault::openStore(const QString &path)
{
    auto store = InventoryStore::open(path);
    if (!store)
        qWarning("%s", qPrintable(store.error().text()));
    return store ? std::move(*store) : nullptr;
}

QList<qint64> TestVault::storeKeys(InventoryStore &store, const Vault &vault)
{
    QList<qint64> ids;
    for (const TestKey &key : std::as_const(m_keys)) {
        auto built =
            StoredKeyBuilder::build(vault, key.name, QStringLiteral("deploy"), key.text, key.passphrase);
        if (!built) {
            qWarning("%s", qPrintable(built.error().text()));
            return {};
        }
        auto id = store.addKey(*built);
        if (!id) {
            qWarning("%s", qPrintable(id.error().text()));
            return {};
        }
        ids.append(*id);
    }
    return ids;
}

void TestVault::initializeAndReopen()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("inventory.db"));
    QByteArray blob;
    {
        auto store = openStore(path);
        QVERIFY(store);
        Vault vault(*store);
        QVERIFY(!vault.isInitialized());
        QVERIFY(!vault.isUnlocked());
        QVERIFY(!vault.unlock(MasterPassword));
        QVERIFY(vault.initialize(MasterPassword));
        QVERIFY(vault.isInitialized());
        QVERIFY(vault.isUnlocked());
        QVERIFY(!vault.initialize(NewMasterPassword));

        auto record = store->vaultRecord();
        QVERIFY(record && record->has_value());
        QCOMPARE((*record)->salt.size(), 16);
        // libsodium's MODERATE limits for Argon2id: 3 passes over 256 MiB (a file attacked offline).
        QCOMPARE((*record)->opsLimit, quint64(3));
        QCOMPARE((*record)->memLimit, quint64(256) * 1024 * 1024);
        QVERIFY(!(*record)->verifier.contains("releasedesk-vault"));

        auto sealed = vault.seal("deploy secret", "test.purpose");
        QVERIFY(sealed);
        blob = *sealed;
        vault.lock();
        QVERIFY(!vault.isUnlocked());
        QVERIFY(!vault.open(blob, "test.purpose"));
    }
    auto store = openStore(path);
    QVERIFY(store);
    Vault vault(*store);
    QVERIFY(vault.isInitialized());
    QVERIFY(!vault.isUnlocked());
    auto unlocked = vault.unlock(MasterPassword);
    QVERIFY2(unlocked, qPrintable(unlocked ? QString() : unlocked.error().text()));
    auto opened = vault.open(blob, "test.purpose");
    QVERIFY(opened);
    QCOMPARE(opened->view(), QByteArrayView("deploy secret"));
}

void TestVault::passwordRules()
{
    QTemporaryDir dir;
    auto store = openStore(dir.filePath(QStringLiteral("inventory.db")));
    QVERIFY(store);
    Vault vault(*store);
    auto empty = vault.initialize({});
    QVERIFY(!empty);
    QVERIFY2(empty.error().message.contains(u"empty"), qPrintable(empty.error().message));
    auto shortOne = vault.initialize("1234567");
    QVERIFY(!shortOne);
    QVERIFY2(shortOne.error().message.contains(u"short"), qPrintable(shortOne.error().message));
    QVERIFY2(shortOne.error().hint.contains(u'8'), qPrintable(shortOne.error().hint));
    QVERIFY(!vault.isInitialized());
    QVERIFY(!vault.isUnlocked());
    // Eight characters, not eight bytes: a non-ASCII password of 8 characters is long enough.
    QVERIFY(!vault.initialize(QStringLiteral("日本語日本語日").toUtf8())); // 7 characters, 21 bytes
    QVERIFY(vault.initialize(QStringLiteral("pässwörd").toUtf8()));
    QVERIFY(!vault.unlock({}));
}

void TestVault::wrongPasswordChangesNothing()
{
    QTemporaryDir dir;
    auto store = openStore(dir.filePath(QStringLiteral("inventory.db")));
    QVERIFY(store);
    {
        Vault vault(*store);
        QVERIFY(vault.initialize(MasterPassword));
        QCOMPARE(storeKeys(*store, vault).size(), m_keys.size());
    }
    const auto recordBefore = store->vaultRecord();
    const auto secretsBefore = store->sealedSecrets();
    QVERIFY(recordBefore && recordBefore->has_value() && secretsBefore);
    QCOMPARE(secretsBefore->size(), 2 * m_keys.size() - 2);

    Vault vault(*store);
    auto wrong = vault.unlock("not the master password");
    QVERIFY(!wrong);
    QCOMPARE(wrong.error().message, QStringLiteral("The master password is wrong."));
    QVERIFY(!wrong.error().hint.isEmpty());
    QVERIFY(!vault.isUnlocked());
    QVERIFY(!vault.seal("x", "p"));

    const auto recordAfter = store->vaultRecord();
    const auto secretsAfter = store->sealedSecrets();
    QVERIFY(recordAfter && recordAfter->has_value() && secretsAfter);
    QVERIFY(sameRecord(**recordBefore, **recordAfter));
    QVERIFY(sameSecrets(*secretsBefore, *secretsAfter));
    QVERIFY(vault.unlock(MasterPassword));
}

void TestVault::sealAndOpen()
{
    QTemporaryDir dir;
    auto store = openStore(dir.filePath(QStringLiteral("inventory.db")));
    QVERIFY(store);
    Vault vault(*store);
    QVERIFY(vault.initialize(MasterPassword));

    const QByteArray plain = m_keys.first().text;
    auto first = vault.seal(plain, "sealed_private_key");
    auto second = vault.seal(plain, "sealed_private_key");
    QVERIFY(first && second);
    // Version byte, 24-byte nonce, ciphertext with its 16-byte tag.
    QCOMPARE(first->size(), 1 + 24 + plain.size() + 16);
    QCOMPARE(first->at(0), char(1));
    QVERIFY(*first != *second);
    QVERIFY(!first->contains(plain.mid(40, 20)));
    for (const QByteArray &blob : {*first, *second}) {
        auto opened = vault.open(blob, "sealed_private_key");
        QVERIFY(opened);
        QCOMPARE(opened->view(), QByteArrayView(plain));
    }
    auto emptySealed = vault.seal({}, "p");
    QVERIFY(emptySealed);
    auto emptyOpened = vault.open(*emptySealed, "p");
    QVERIFY(emptyOpened);
    QVERIFY(emptyOpened->isEmpty());
}

void TestVault::tamperedOrMisplacedBlobsFail()
{
    QTemporaryDir dir;
    auto store = openStore(dir.filePath(QStringLiteral("inventory.db")));
    QVERIFY(store);
    Vault vault(*store);
    QVERIFY(vault.initialize(MasterPassword));
    auto sealed = vault.seal("the passphrase", "sealed_passphrase");
    QVERIFY(sealed);

    for (qsizetype at : {qsizetype(0), qsizetype(1), qsizetype(24), qsizetype(25), sealed->size() - 1}) {
        QByteArray tampered = *sealed;
        tampered[at] = char(tampered[at] ^ 0x01);
        auto opened = vault.open(tampered, "sealed_passphrase");
        QVERIFY2(!opened, qPrintable(QString::number(at)));
        QVERIFY(!opened.error().hint.isEmpty());
    }
    QVERIFY(!vault.open(sealed->chopped(1), "sealed_passphrase"));
    QVERIFY(!vault.open(sealed->left(20), "sealed_passphrase"));
    QVERIFY(!vault.open({}, "sealed_passphrase"));
    QVERIFY(!vault.open(*sealed, "sealed_private_key"));
    QVERIFY(!vault.open(*sealed, {}));
    QVERIFY(vault.open(*sealed, "sealed_passphrase"));

    // A blob of another vault does not open here.
    QTemporaryDir otherDir;
    auto otherStore = openStore(otherDir.filePath(QStringLiteral("inventory.db")));
    QVERIFY(otherStore);
    Vault other(*otherStore);
    QVERIFY(other.initialize(MasterPassword));
    QVERIFY(!other.open(*sealed, "sealed_passphrase"));
}

void TestVault::storedKeyBuilder()
{
    QTemporaryDir dir;
    auto store = openStore(dir.filePath(QStringLiteral("inventory.db")));
    QVERIFY(store);
    Vault vault(*store);
    const TestKey &plainKey = m_keys[0];
    const TestKey &protectedKey = m_keys[2];

    auto locked =
        StoredKeyBuilder::build(vault, QStringLiteral("k"), QStringLiteral("deploy"), plainKey.text, {});
    QVERIFY(!locked);
    QVERIFY2(locked.error().message.contains(u"locked"), qPrintable(locked.error().message));

    QVERIFY(vault.initialize(MasterPassword));
    // Pasted with CR LF and blank lines around it: stored as ssh-keygen wrote it.
    QByteArray pasted = "\r\n" + plainKey.text;
    pasted.replace("\n", "\r\n");
    auto built = StoredKeyBuilder::build(vault, QStringLiteral("k"), QStringLiteral("deploy"), pasted,
                                         "ignored for a plain key");
    QVERIFY2(built, qPrintable(built ? QString() : built.error().text()));
    QCOMPARE(built->kind, KeyKind::Stored);
    QCOMPARE(built->name, QStringLiteral("k"));
    QCOMPARE(built->username, QStringLiteral("deploy"));
    auto material = KeyMaterial::inspect(plainKey.text);
    QVERIFY(material);
    QCOMPARE(built->publicKey, material->publicKey);
    QCOMPARE(built->fingerprint, material->fingerprint);
    QVERIFY(!built->hasPassphrase());
    auto opened = vault.open(built->sealedPrivateKey, StoredKeyBuilder::privateKeyPurpose());
    QVERIFY(opened);
    QCOMPARE(opened->view(), QByteArrayView(plainKey.text));

    auto withPassphrase = StoredKeyBuilder::build(vault, QStringLiteral("p"), QStringLiteral("deploy"),
                                                  protectedKey.text, protectedKey.passphrase);
    QVERIFY2(withPassphrase, qPrintable(withPassphrase ? QString() : withPassphrase.error().text()));
    QVERIFY(withPassphrase->hasPassphrase());
    auto passphrase = vault.open(withPassphrase->sealedPassphrase, StoredKeyBuilder::passphrasePurpose());
    QVERIFY(passphrase);
    QCOMPARE(passphrase->view(), QByteArrayView(protectedKey.passphrase));
    QVERIFY(store->addKey(*withPassphrase));

    // An encrypted OpenSSH key is taken on trust, but not without its passphrase.
    auto missing =
        StoredKeyBuilder::build(vault, QStringLiteral("q"), QStringLiteral("deploy"), m_keys[1].text, {});
    QVERIFY(!missing);
    QCOMPARE(missing.error().field, QStringLiteral("passphrase"));
    auto wrongPem = StoredKeyBuilder::build(vault, QStringLiteral("q"), QStringLiteral("deploy"),
                                            protectedKey.text, "wrong passphrase");
    QVERIFY(!wrongPem);
    QCOMPARE(wrongPem.error().field, QStringLiteral("passphrase"));
    auto garbage =
        StoredKeyBuilder::build(vault, QStringLiteral("q"), QStringLiteral("deploy"), "not a key at all", {});
    QVERIFY(!garbage);
    QCOMPARE(garbage.error().field, QStringLiteral("privateKey"));
}

void TestVault::changePassword()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("inventory.db"));
    QList<SealedSecret> secretsBefore;
    {
        auto store = openStore(path);
        QVERIFY(store);
        Vault vault(*store);
        QVERIFY(vault.initialize(MasterPassword));
        QCOMPARE(storeKeys(*store, vault).size(), m_keys.size());
        auto secrets = store->sealedSecrets();
        QVERIFY(secrets);
        secretsBefore = *secrets;
        const auto saltBefore = (*store->vaultRecord())->salt;

        auto tooShort = vault.changePassword(MasterPassword, "short");
        QVERIFY(!tooShort);
        QCOMPARE(tooShort.error().field, QStringLiteral("newPassword"));

        auto changed = vault.changePassword(MasterPassword, NewMasterPassword);
        QVERIFY2(changed, qPrintable(changed ? QString() : changed.error().text()));
        QVERIFY(vault.isUnlocked());
        QVERIFY((*store->vaultRecord())->salt != saltBefore);
        // Still unlocked, with the new key: what it seals now opens after a reopen.
        auto sealed = vault.seal("after the change", "p");
        QVERIFY(sealed);
        auto opened = vault.open(*sealed, "p");
        QVERIFY(opened);
    }

    auto store = openStore(path);
    QVERIFY(store);
    Vault vault(*store);
    auto old = vault.unlock(MasterPassword);
    QVERIFY(!old);
    QCOMPARE(old.error().message, QStringLiteral("The master password is wrong."));
    QVERIFY(vault.unlock(NewMasterPassword));

    auto secretsAfter = store->sealedSecrets();
    QVERIFY(secretsAfter);
    QCOMPARE(secretsAfter->size(), secretsBefore.size());
    for (qsizetype i = 0; i < secretsAfter->size(); ++i)
        QVERIFY(secretsAfter->at(i).blob != secretsBefore.at(i).blob);

    auto keys = store->keys();
    QVERIFY(keys);
    QCOMPARE(keys->size(), m_keys.size());
    for (const TestKey &original : std::as_const(m_keys)) {
        auto stored = store->key(store->keyId(original.name));
        QVERIFY(stored);
        auto privateKey = vault.open(stored->sealedPrivateKey, StoredKeyBuilder::privateKeyPurpose());
        QVERIFY2(privateKey, qPrintable(original.name));
        QCOMPARE(privateKey->view(), QByteArrayView(original.text));
        if (original.passphrase.isEmpty()) {
            QVERIFY(!stored->hasPassphrase());
        } else {
            auto passphrase = vault.open(stored->sealedPassphrase, StoredKeyBuilder::passphrasePurpose());
            QVERIFY(passphrase);
            QCOMPARE(passphrase->view(), QByteArrayView(original.passphrase));
        }
    }
}

void TestVault::wrongOldPasswordChangesNothing()
{
    QTemporaryDir dir;
    auto store = openStore(dir.filePath(QStringLiteral("inventory.db")));
    QVERIFY(store);
    Vault vault(*store);
    QVERIFY(vault.initialize(MasterPassword));
    QCOMPARE(storeKeys(*store, vault).size(), m_keys.size());
    const auto recordBefore = store->vaultRecord();
    const auto secretsBefore = store->sealedSecrets();
    QVERIFY(recordBefore && secretsBefore);

    auto changed = vault.changePassword("a wrong old password", NewMasterPassword);
    QVERIFY(!changed);
    QCOMPARE(changed.error().message, QStringLiteral("The master password is wrong."));
    QCOMPARE(changed.error().field, QStringLiteral("oldPassword"));

    const auto recordAfter = store->vaultRecord();
    const auto secretsAfter = store->sealedSecrets();
    QVERIFY(recordAfter && secretsAfter);
    QVERIFY(sameRecord(**recordBefore, **recordAfter));
    QVERIFY(sameSecrets(*secretsBefore, *secretsAfter));
    Vault again(*store);
    QVERIFY(!again.unlock(NewMasterPassword));
    QVERIFY(again.unlock(MasterPassword));
}

void TestVault::passwordChangedElsewhereLocksThisVault()
{
    // The GUI and the CLI open the same inventory: one changes the master password under the other.
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("inventory.db"));
    auto guiStore = openStore(path);
    auto cliStore = openStore(path);
    QVERIFY(guiStore && cliStore);
    Vault gui(*guiStore);
    QVERIFY(gui.initialize(MasterPassword));
    Vault cli(*cliStore);
    QVERIFY(cli.changePassword(MasterPassword, NewMasterPassword));

    auto sealed = gui.seal("would be sealed under a key that no longer exists", "test.purpose");
    QVERIFY(!sealed);
    QVERIFY2(sealed.error().message.contains(QStringLiteral("changed elsewhere")), qPrintable(sealed.error().text()));
    QVERIFY(!gui.isUnlocked());
    QVERIFY(!gui.unlock(MasterPassword));
    QVERIFY(gui.unlock(NewMasterPassword));
    auto resealed = gui.seal("sealed under the new key", "test.purpose");
    QVERIFY(resealed);
    auto opened = cli.open(*resealed, "test.purpose");
    QVERIFY(opened);
    QVERIFY(opened->equals("sealed under the new key"));
}

void TestVault::sealWithPassword()
{
    const QByteArray plain = m_keys.last().text;
    const QByteArray password = "export password";
    auto sealed = Vault::sealWithPassword(plain, password);
    QVERIFY(sealed);
    QVERIFY(sealed->startsWith("RDS1"));
    QVERIFY(!sealed->contains(bodyLines(plain).first()));
    auto opened = Vault::openWithPassword(*sealed, password);
    QVERIFY(opened);
    QCOMPARE(opened->view(), QByteArrayView(plain));
    auto again = Vault::sealWithPassword(plain, password);
    QVERIFY(again && *again != *sealed);

    auto wrong = Vault::openWithPassword(*sealed, "another password");
    QVERIFY(!wrong);
    QVERIFY2(wrong.error().message.contains(u"wrong"), qPrintable(wrong.error().message));
    QVERIFY(!Vault::openWithPassword(*sealed, {}));
    QVERIFY(!Vault::sealWithPassword(plain, {}));
    QVERIFY(!Vault::sealWithPassword(plain, "short"));

    // Exports cost an attacker what the vault does: MODERATE, 3 passes over 256 MiB.
    QCOMPARE(qFromBigEndian<quint64>(sealed->constData() + 4), quint64(3));
    QCOMPARE(qFromBigEndian<quint64>(sealed->constData() + 12), quint64(256) << 20);
    // The ops limit (bytes 4..11), the salt, the nonce and the tag are all bound.
    for (qsizetype at : {qsizetype(11), qsizetype(25), qsizetype(40), sealed->size() - 1}) {
        QByteArray tampered = *sealed;
        tampered[at] = char(tampered[at] ^ 0x01);
        QVERIFY2(!Vault::openWithPassword(tampered, password), qPrintable(QString::number(at)));
    }
    // A crafted memory limit far above the sensible maximum is refused before any work.
    QByteArray greedy = *sealed;
    greedy[12] = char(0x7f);
    auto refused = Vault::openWithPassword(greedy, password);
    QVERIFY(!refused);
    QVERIFY(!Vault::openWithPassword(sealed->left(40), password));
    QVERIFY(!Vault::openWithPassword("RDS2" + sealed->mid(4), password));
}

void TestVault::noSecretReachesTheDisk()
{
    // Everything written below goes to `sandbox`, TMPDIR included; the keys were made before.
    QTemporaryDir sandbox;
    QVERIFY(sandbox.isValid());
    const QString tempBefore = QDir::tempPath();
    const QByteArray oldTmpDir = qgetenv("TMPDIR");
    const QString tmp = sandbox.filePath(QStringLiteral("tmp"));
    QVERIFY(QDir().mkpath(tmp));
    qputenv("TMPDIR", QFile::encodeName(tmp));
    const auto restore = qScopeGuard([&] {
        if (oldTmpDir.isEmpty())
            qunsetenv("TMPDIR");
        else
            qputenv("TMPDIR", oldTmpDir);
    });
    QCOMPARE(QDir::tempPath(), QDir(tmp).absolutePath());
    const QDateTime start = QDateTime::currentDateTime().addSecs(-1);

    QList<QByteArray> needles;
    QList<QByteArray> publicParts;
    for (const TestKey &key : std::as_const(m_keys)) {
        needles += bodyLines(key.text);
        if (!key.passphrase.isEmpty())
            needles.append(key.passphrase);
        auto material = KeyMaterial::inspect(key.text, key.passphrase);
        QVERIFY(material);
        publicParts.append(material->publicKey.section(u' ', 1).toLatin1());
    }
    needles.append(MasterPassword);
    QVERIFY(needles.size() > 50);

    const QString path = sandbox.filePath(QStringLiteral("data/inventory.db"));
    QByteArray whileOpen;
    {
        auto store = openStore(path);
        QVERIFY(store);
        Vault vault(*store);
        QVERIFY(vault.initialize(MasterPassword));
        QCOMPARE(storeKeys(*store, vault).size(), m_keys.size());
        QVERIFY(vault.changePassword(MasterPassword, NewMasterPassword));
        // Read the database and its WAL while the store is still open, too.
        for (const QString &suffix : {QString(), QStringLiteral("-wal"), QStringLiteral("-shm")}) {
            QFile file(path + suffix);
            if (file.open(QIODevice::ReadOnly))
                whileOpen += file.readAll();
        }
    }
    needles.append(NewMasterPassword);

    QList<QPair<QString, QByteArray>> files{{QStringLiteral("database while open"), whileOpen}};
    QDirIterator it(sandbox.path(), QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        QFile file(it.next());
        QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.fileName()));
        files.append({file.fileName(), file.readAll()});
    }
    // Whatever was written straight into the usual temp directory while the test ran.
    const QFileInfoList loose = QDir(tempBefore).entryInfoList(QDir::Files | QDir::Hidden);
    for (const QFileInfo &info : loose) {
        if (info.lastModified() < start || info.size() > 64 * 1024 * 1024)
            continue;
        QFile file(info.absoluteFilePath());
        if (file.open(QIODevice::ReadOnly))
            files.append({file.fileName(), file.readAll()});
    }

    bool sawDatabase = false;
    for (const auto &[name, bytes] : std::as_const(files)) {
        for (const QByteArray &needle : std::as_const(needles))
            QVERIFY2(!bytes.contains(needle),
                     qPrintable(name + QStringLiteral(": ") + QString::fromLatin1(needle)));
        if (name.endsWith(u"inventory.db")) {
            sawDatabase = true;
            // The scan can see: the public keys are stored in the clear and found.
            for (const QByteArray &publicPart : std::as_const(publicParts))
                QVERIFY2(bytes.contains(publicPart), qPrintable(name));
        }
    }
    QVERIFY(sawDatabase);
}

void TestVault::weakerVaultIsSealedAnewAtUnlock()
{
    // An inventory whose vault was made with libsodium's INTERACTIVE limits, holding one stored key.
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("inventory.sqlite"));
    QVERIFY(QFile::copy(QStringLiteral(RELEASEDESK_TEST_DATA "/vault-interactive.sqlite"), path));
    QVERIFY(QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner));
    QFile keyFile(QStringLiteral(RELEASEDESK_TEST_DATA "/vault-interactive.key"));
    QVERIFY(keyFile.open(QIODevice::ReadOnly));
    const QByteArray privateKey = keyFile.readAll();
    const QByteArray password = "interactive-era password";

    auto store = openStore(path);
    QVERIFY(store);
    const VaultRecord before = **store->vaultRecord();
    QCOMPARE(before.opsLimit, quint64(2));
    QCOMPARE(before.memLimit, quint64(64) << 20);
    const QList<SealedSecret> secretsBefore = *store->sealedSecrets();

    Vault vault(*store);
    QVERIFY(!vault.unlock("a wrong password"));
    QVERIFY(sameRecord(**store->vaultRecord(), before));
    QVERIFY(sameSecrets(*store->sealedSecrets(), secretsBefore));

    auto unlocked = vault.unlock(password);
    QVERIFY2(unlocked, qPrintable(unlocked ? QString() : unlocked.error().text()));
    const VaultRecord after = **store->vaultRecord();
    QCOMPARE(after.opsLimit, quint64(3)); // MODERATE
    QCOMPARE(after.memLimit, quint64(256) << 20);
    QVERIFY(after.salt != before.salt);
    const QList<SealedSecret> secretsAfter = *store->sealedSecrets();
    QCOMPARE(secretsAfter.size(), secretsBefore.size());
    QVERIFY(!sameSecrets(secretsAfter, secretsBefore));

    // Nothing lost: the key opens, in this vault and after a fresh unlock with the same password.
    store.reset();
    store = openStore(path);
    Vault reopened(*store);
    QVERIFY(reopened.unlock(password));
    QVERIFY(sameRecord(**store->vaultRecord(), after)); // sealed anew once, not at every unlock
    const SshKey key = *store->key(store->keyId(QStringLiteral("fixture")));
    auto opened = reopened.open(key.sealedPrivateKey, StoredKeyBuilder::privateKeyPurpose());
    QVERIFY(opened);
    QCOMPARE(opened->view(), QByteArrayView(privateKey));
    auto passphrase = reopened.open(key.sealedPassphrase, StoredKeyBuilder::passphrasePurpose());
    QVERIFY(passphrase);
    QCOMPARE(passphrase->view(), QByteArrayView("key passphrase"));
}

void TestVault::twoFirstPasswordsKeepTheFirst()
{
    // Two windows (or a window and the CLI) choose a first password at the same time: the keys
    // are derived apart, and only the first to write wins; the other is told, nothing is mixed.
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("inventory.db"));
    auto storeA = openStore(path);
    auto storeB = openStore(path);
    QVERIFY(storeA && storeB);
    Vault a(*storeA);
    Vault b(*storeB);
    auto workA = Vault::deriveFirst("the first password");
    auto workB = Vault::deriveFirst("another first password");
    QVERIFY(workA && workB);
    QVERIFY(!b.isInitialized());
    QVERIFY(a.apply(std::move(*workA)));
    auto second = b.apply(std::move(*workB));
    QVERIFY(!second);
    QVERIFY2(second.error().message.contains(u"already has a master password"), qPrintable(second.error().message));
    QVERIFY(!b.isUnlocked());
    QVERIFY(!b.unlock("another first password"));
    QVERIFY(b.unlock("the first password"));
}

void TestVault::secretBytesConversions()
{
    // A buffer shared with someone else is copied and left alone; the copy holds the same bytes.
    const QByteArray shared = QByteArrayLiteral("typed secret");
    QByteArray copy = shared;
    const SecretBytes fromShared = SecretBytes::take(std::move(copy));
    QVERIFY(fromShared.equals("typed secret"));
    QCOMPARE(shared, QByteArrayLiteral("typed secret"));

    const SecretBytes fromText = SecretBytes::fromText(QStringLiteral("pässwörd"));
    QVERIFY(fromText.equals(QStringLiteral("pässwörd").toUtf8()));
    QCOMPARE(fromText.size(), std::size_t(10));

    // The QByteArray form reads the secret where it is: no copy to leave behind.
    const QByteArray raw = fromText.rawByteArray();
    QCOMPARE(static_cast<const void *>(raw.constData()), static_cast<const void *>(fromText.data()));
    QCOMPARE(raw.size(), qsizetype(10));
    QVERIFY(SecretBytes().rawByteArray().isEmpty());
}

QTEST_GUILESS_MAIN(TestVault)
#include "tst_vault.moc"
