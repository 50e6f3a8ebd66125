#include "keyspane.h"

#include "inventory/inventorystore.h"
#include "inventory/keymaterial.h"
#include "inventory/validator.h"
#include "inventorypanes/keytablemodel.h"
#include "inventory/storedkeybuilder.h"
#include "vault/vault.h"
#include "dialogs/vaultpassworddialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QtConcurrent>

#include <algorithm>
#include <memory>
#include <utility>

namespace rd {

namespace {
constexpr qint64 MaxPrivateKeyFileSize = 64 * 1024;

// Whether the field holds more than blanks. Its text is a private key: the copy read is wiped.
bool holdsText(const QPlainTextEdit *edit)
{
    QString text = edit->toPlainText();
    const bool any = std::any_of(text.cbegin(), text.cend(), [](QChar c) { return !c.isSpace(); });
    text.fill(u'\0');
    return any;
}
} // namespace

KeysPane::KeysPane(InventoryStore &store, Vault &vault, QWidget *parent)
    : InventoryPane(store, tr("SSH keys"),
                    tr("Login identities for the servers: a private key kept encrypted in the vault, a key file on "
                       "this machine, or the running ssh-agent."),
                    parent),
      m_vault(vault), m_keys(new KeyTableModel(this))
{
    setObjectName(QStringLiteral("keysPane"));
    m_name = new QLineEdit;
    m_name->setObjectName(QStringLiteral("nameEdit"));
    m_name->setPlaceholderText(tr("deploy-key"));
    m_kind = new QComboBox;
    m_kind->setObjectName(QStringLiteral("kindComboBox"));
    for (KeyKind kind : {KeyKind::Stored, KeyKind::File, KeyKind::Agent})
        m_kind->addItem(KeyTableModel::kindLabel(kind), int(kind));
    m_username = new QLineEdit;
    m_username->setObjectName(QStringLiteral("usernameEdit"));
    m_username->setPlaceholderText(tr("deploy"));

    m_privateKey = new QPlainTextEdit;
    m_privateKey->setObjectName(QStringLiteral("privateKeyEdit"));
    m_privateKey->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_privateKey->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_privateKey->setFixedHeight(m_privateKey->fontMetrics().height() * 6 + 12);
    auto *loadButton = new QPushButton(tr("Load from file…"));
    loadButton->setObjectName(QStringLiteral("loadPrivateKeyButton"));
    connect(loadButton, &QPushButton::clicked, this, &KeysPane::loadPrivateKeyFile);
    auto *privateBox = new QWidget;
    auto *privateLayout = new QVBoxLayout(privateBox);
    privateLayout->setContentsMargins(0, 0, 0, 0);
    privateLayout->addWidget(m_privateKey);
    privateLayout->addWidget(loadButton, 0, Qt::AlignLeft);
    m_checking = new QLabel(tr("Checking the key and its passphrase…"));
    m_checking->setObjectName(QStringLiteral("checkingLabel"));
    m_checking->hide();
    privateLayout->addWidget(m_checking);

    m_passphrase = new QLineEdit;
    m_passphrase->setObjectName(QStringLiteral("passphraseEdit"));
    m_passphrase->setEchoMode(QLineEdit::Password);
    m_passphrase->setPlaceholderText(tr("empty if the key has none"));

    m_keyPath = new QLineEdit;
    m_keyPath->setObjectName(QStringLiteral("keyPathEdit"));
    m_keyPath->setPlaceholderText(tr("/home/me/.ssh/id_ed25519"));
    auto *browse = new QPushButton(tr("Browse…"));
    connect(browse, &QPushButton::clicked, this, &KeysPane::browseKeyFile);
    auto *pathBox = new QWidget;
    auto *pathLayout = new QHBoxLayout(pathBox);
    pathLayout->setContentsMargins(0, 0, 0, 0);
    pathLayout->addWidget(m_keyPath, 1);
    pathLayout->addWidget(browse);

    m_publicKey = new QPlainTextEdit;
    m_publicKey->setObjectName(QStringLiteral("publicKeyEdit"));
    m_publicKey->setReadOnly(true);
    m_publicKey->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_publicKey->setFixedHeight(m_publicKey->fontMetrics().height() * 3 + 12);
    m_publicKey->setPlaceholderText(tr("filled in when the key is saved"));
    m_fingerprint = new QLineEdit;
    m_fingerprint->setObjectName(QStringLiteral("fingerprintEdit"));
    m_fingerprint->setReadOnly(true);
    m_fingerprint->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_enabled = new QCheckBox(tr("Offer this key for logins"));
    m_enabled->setObjectName(QStringLiteral("enabledCheckBox"));

    m_form = createForm();
    addField(m_form, tr("Name"), m_name, QStringLiteral("name"));
    addField(m_form, tr("Kind"), m_kind, QStringLiteral("kind"));
    addField(m_form, tr("User name"), m_username, QStringLiteral("username"));
    m_privateKeyRow = addField(m_form, tr("Private key"), privateBox, QStringLiteral("privateKey"));
    m_passphraseRow = addField(m_form, tr("Passphrase"), m_passphrase, QStringLiteral("passphrase"));
    m_keyPathRow = addField(m_form, tr("Key file"), pathBox, QStringLiteral("keyPath"));
    addField(m_form, tr("Public key"), m_publicKey, QStringLiteral("publicKey"));
    addField(m_form, tr("Fingerprint"), m_fingerprint, QStringLiteral("fingerprint"));
    addField(m_form, tr("Enabled"), m_enabled, QStringLiteral("enabled"));
    setupStandardLayout(m_keys, m_form, tr("Filter by name, user or fingerprint"));

    for (QLineEdit *edit : {m_name, m_username, m_passphrase, m_keyPath})
        connect(edit, &QLineEdit::textChanged, this, &KeysPane::markEdited);
    connect(m_privateKey, &QPlainTextEdit::textChanged, this, &KeysPane::markEdited);
    connect(m_enabled, &QCheckBox::toggled, this, &KeysPane::markEdited);
    connect(m_kind, &QComboBox::currentIndexChanged, this, [this] {
        updateKindRows();
        markEdited();
    });
    updateKindRows();
}

void KeysPane::reload()
{
    auto keys = m_store.keys();
    if (!keys) {
        showStoreError(keys.error());
        return;
    }
    m_keys->setKeys(*keys);
    setItemCountText(tr("%n key(s)", nullptr, itemCount()));
    afterReload();
}

int KeysPane::itemCount() const
{
    return m_keys->rowCount();
}

KeyKind KeysPane::currentKind() const
{
    return KeyKind(m_kind->currentData().toInt());
}

void KeysPane::updateKindRows()
{
    const KeyKind kind = currentKind();
    m_form->setRowVisible(m_privateKeyRow, kind == KeyKind::Stored);
    m_form->setRowVisible(m_passphraseRow, kind == KeyKind::Stored);
    m_form->setRowVisible(m_keyPathRow, kind == KeyKind::File);
    // A stored key's private part never leaves the vault: editing means pasting a new one.
    m_privateKey->setPlaceholderText(m_loaded.id && !m_loaded.sealedPrivateKey.isEmpty()
                                         ? tr("Kept encrypted in the vault. Paste a key here only to replace it.")
                                         : tr("Paste the private key (-----BEGIN OPENSSH PRIVATE KEY----- …)"));
}

SshKey KeysPane::formKey() const
{
    SshKey key = m_loaded;
    key.id = m_currentId;
    key.name = m_name->text().trimmed();
    key.username = m_username->text().trimmed();
    key.kind = currentKind();
    key.enabled = m_enabled->isChecked();
    key.keyPath = key.kind == KeyKind::File ? m_keyPath->text().trimmed() : QString();
    if (key.kind != KeyKind::Stored) {
        key.sealedPrivateKey.clear();
        key.sealedPassphrase.clear();
    }
    return key;
}

QList<Error> KeysPane::validateForm() const
{
    SshKey key = formKey();
    // Validation only needs to know that a private key is given; it is sealed when saved.
    if (key.kind == KeyKind::Stored && holdsText(m_privateKey))
        key.sealedPrivateKey = QByteArrayLiteral("pending");
    QList<Error> errors = Validator::check(key);
    // The passphrase only unlocks a pasted key; on its own it would be dropped unsaved.
    if (key.kind == KeyKind::Stored && !holdsText(m_privateKey) && !m_passphrase->text().isEmpty())
        errors.append(Error{tr("A passphrase alone does not change the stored key."),
                            tr("Paste the private key again to change its passphrase."),
                            QStringLiteral("passphrase")});
    return errors;
}

void KeysPane::loadForm(qint64 id)
{
    m_loaded = SshKey{};
    if (id) {
        auto stored = m_store.key(id);
        if (!stored) {
            showStoreError(stored.error());
            return;
        }
        m_loaded = *stored;
    }
    m_name->setText(m_loaded.name);
    m_kind->setCurrentIndex(qMax(0, m_kind->findData(int(m_loaded.kind))));
    m_username->setText(m_loaded.username);
    m_privateKey->clear();
    m_passphrase->clear();
    m_keyPath->setText(m_loaded.keyPath);
    m_publicKey->setPlainText(m_loaded.publicKey);
    m_fingerprint->setText(m_loaded.fingerprint);
    m_enabled->setChecked(m_loaded.enabled);
    updateKindRows();
}

Result<> KeysPane::ensureVaultUnlocked()
{
    if (m_vault.isUnlocked())
        return {};
    const auto mode =
        m_vault.isInitialized() ? VaultPasswordDialog::Mode::Unlock : VaultPasswordDialog::Mode::Create;
    VaultPasswordDialog dialog(mode, m_vault, this);
    const bool unlocked = dialog.exec() == QDialog::Accepted;
    emit vaultStateChanged();
    if (!unlocked)
        return fail(tr("The vault is locked, so the private key cannot be stored."),
                    tr("Unlock the vault (Vault > Unlock) and save again, or use a key file or ssh-agent."),
                    QStringLiteral("privateKey"));
    return {};
}

bool KeysPane::startPreparingSave(std::function<void()> done)
{
    m_checked.reset();
    if (currentKind() != KeyKind::Stored || !holdsText(m_privateKey))
        return false;
    if (auto unlocked = ensureVaultUnlocked(); !unlocked) {
        m_checked = std::unexpected(unlocked.error());
        return false;
    }
    QString privateText = m_privateKey->toPlainText();
    auto text = std::make_shared<SecretBytes>(SecretBytes::fromText(privateText));
    privateText.fill(u'\0');
    auto passphrase = std::make_shared<SecretBytes>(SecretBytes::fromText(m_passphrase->text()));
    auto checked = std::make_shared<Result<StoredKeyBuilder::CheckedKey>>();
    disconnect(&m_checkWatcher, nullptr, this, nullptr);
    connect(&m_checkWatcher, &QFutureWatcher<void>::finished, this, [this, checked, done = std::move(done)] {
        m_checking->hide();
        m_checked = std::move(*checked);
        done();
    });
    m_checking->show();
    m_checkWatcher.setFuture(QtConcurrent::run([text, passphrase, checked] {
        *checked = StoredKeyBuilder::check(text->view(), passphrase->view());
    }));
    return true;
}

Result<qint64> KeysPane::saveForm(qint64 id)
{
    SshKey key = formKey();
    if (m_checked) {
        auto checked = std::exchange(m_checked, std::nullopt);
        if (!*checked)
            return std::unexpected(checked->error());
        auto sealed = StoredKeyBuilder::seal(m_vault, key.name, key.username, **checked);
        if (!sealed)
            return std::unexpected(sealed.error());
        sealed->id = id;
        sealed->enabled = key.enabled;
        key = *sealed;
    } else if (key.kind == KeyKind::File && key.keyPath != m_loaded.keyPath) {
        const auto material = KeyMaterial::identifyKeyFile(key.keyPath);
        key.publicKey = material ? material->publicKey : QString();
        key.fingerprint = material ? material->fingerprint : QString();
    }
    if (id == 0)
        return m_store.addKey(key);
    if (auto updated = m_store.updateKey(key); !updated)
        return std::unexpected(updated.error());
    return id;
}

Result<> KeysPane::removeItem(qint64 id)
{
    return m_store.removeKey(id);
}

void KeysPane::loadPrivateKeyFile()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Load a private key"),
                                                      QDir::home().filePath(QStringLiteral(".ssh")));
    if (path.isEmpty())
        return;
    QFile file(path);
    if (file.size() > MaxPrivateKeyFileSize) {
        showStoreError(Error{tr("%1 is too large to be a private key.").arg(path),
                             tr("Choose the private key file, such as id_ed25519 (not an archive)."), {}});
        return;
    }
    if (!file.open(QIODevice::ReadOnly)) {
        showStoreError(Error{tr("%1 could not be read: %2").arg(path, file.errorString()),
                             tr("Check the file's permissions."), {}});
        return;
    }
    m_privateKey->setPlainText(QString::fromUtf8(file.readAll()));
}

void KeysPane::browseKeyFile()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Choose the private key file"),
                                                      QDir::home().filePath(QStringLiteral(".ssh")));
    if (!path.isEmpty())
        m_keyPath->setText(path);
}

} // namespace rd
