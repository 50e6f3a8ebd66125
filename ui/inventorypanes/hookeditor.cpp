#include "hookeditor.h"

#include "inventory/inventorystore.h"

#include <QComboBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace rd {

HookEditor::HookEditor(InventoryStore &store, HookStage stage, QWidget *parent)
    : QWidget(parent), m_store(store), m_stage(stage), m_templates(new QComboBox), m_script(new QPlainTextEdit),
      m_save(new QPushButton(tr("Save as template…"))), m_error(new QLabel)
{
    const QString name = hookStageName(stage);
    setObjectName(name + QStringLiteral("Hook"));
    m_templates->setObjectName(QStringLiteral("templateCombo"));
    m_script->setObjectName(QStringLiteral("scriptEdit"));
    m_save->setObjectName(QStringLiteral("saveTemplateButton"));
    m_error->setObjectName(QStringLiteral("errorLabel"));
    m_error->setStyleSheet(QStringLiteral("color: #c62828;"));
    m_error->setWordWrap(true);
    m_error->hide();
    m_script->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_script->setPlaceholderText(tr("Shell commands, run with sh -e. RD_PROJECT, RD_ENV, RD_VERSION, RD_COMMIT, "
                                    "RD_RELEASE_DIR, RD_PREVIOUS_DIR and RD_SERVER are set."));
    m_script->setTabChangesFocus(true);

    auto *top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Template:")));
    top->addWidget(m_templates, 1);
    top->addWidget(m_save);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 6, 0, 0);
    layout->addLayout(top);
    layout->addWidget(m_script, 1);
    layout->addWidget(m_error);

    connect(m_templates, &QComboBox::activated, this, &HookEditor::chooseTemplate);
    connect(m_save, &QPushButton::clicked, this, &HookEditor::askAndSave);
    connect(m_script, &QPlainTextEdit::textChanged, m_error, &QLabel::hide);
    reloadTemplates();
}

void HookEditor::reloadTemplates()
{
    m_templates->clear();
    m_templates->addItem(tr("Choose a template…"), qint64(0));
    auto hooks = m_store.hookTemplates();
    if (!hooks)
        return;
    for (const HookTemplate &hook : std::as_const(*hooks))
        if (hook.stage == m_stage)
            m_templates->addItem(hook.title, hook.id);
}

void HookEditor::chooseTemplate(int index)
{
    const qint64 id = m_templates->itemData(index).toLongLong();
    if (id == 0)
        return;
    auto hook = m_store.hookTemplate(id);
    if (!hook) {
        m_error->setText(hook.error().text());
        m_error->show();
        return;
    }
    m_script->setPlainText(hook->script);
}

QString HookEditor::script() const
{
    return m_script->toPlainText();
}

void HookEditor::setScript(const QString &script)
{
    m_script->setPlainText(script);
}

bool HookEditor::saveAsTemplate(const QString &title)
{
    QString error;
    if (title.trimmed().isEmpty())
        error = tr("A template needs a name. Type one to save this hook as a template.");
    else if (m_script->toPlainText().trimmed().isEmpty())
        error = tr("The hook is empty: write the commands first, then save them as a template.");
    if (error.isEmpty()) {
        HookTemplate hook;
        hook.title = title.trimmed();
        hook.stage = m_stage;
        hook.script = m_script->toPlainText();
        if (auto added = m_store.addHookTemplate(hook); !added)
            error = added.error().text();
    }
    if (!error.isEmpty()) {
        m_error->setText(error);
        m_error->show();
        return false;
    }
    reloadTemplates();
    m_templates->setCurrentIndex(m_templates->findText(title.trimmed()));
    emit templatesChanged();
    return true;
}

void HookEditor::askAndSave()
{
    bool ok = false;
    const QString title = QInputDialog::getText(this, tr("Save as template"), tr("Template name (required):"),
                                                QLineEdit::Normal, QString(), &ok);
    if (ok)
        saveAsTemplate(title);
}

} // namespace rd
