#include "inventorypane.h"
#include "inventorypanes/entitytablemodel.h"
#include "widgets/paneheader.h"

#include <QFormLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace rd {

InventoryPane::InventoryPane(InventoryStore &store, const QString &title, const QString &subtitle,
                             QWidget *parent)
    : QWidget(parent), m_store(store)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(20, 16, 20, 12);
    layout->setSpacing(10);

    layout->addWidget(new PaneHeader(title, subtitle));

    m_storeError = new QLabel;
    m_storeError->setObjectName(QStringLiteral("storeErrorLabel"));
    m_storeError->setWordWrap(true);
    m_storeError->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_storeError->setStyleSheet(QStringLiteral("QLabel { background: #fdecea; color: #b71c1c; border: 1px "
                                               "solid #f5c2c0; border-radius: 4px; padding: 6px; }"));
    m_storeError->hide();
    layout->addWidget(m_storeError);

    m_content = new QVBoxLayout;
    m_content->setSpacing(8);
    layout->addLayout(m_content, 1);
}

QFormLayout *InventoryPane::createForm()
{
    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->setLabelAlignment(Qt::AlignRight | Qt::AlignTop);
    form->setHorizontalSpacing(12);
    form->setVerticalSpacing(6);
    return form;
}

QWidget *InventoryPane::createItemList(EntityTableModel *model, const QString &filterHint)
{
    m_model = model;
    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(model);
    m_proxy->setFilterKeyColumn(-1);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_proxy->setSortCaseSensitivity(Qt::CaseInsensitive);

    m_filter = new QLineEdit;
    m_filter->setObjectName(QStringLiteral("filterLineEdit"));
    m_filter->setPlaceholderText(filterHint);
    m_filter->setClearButtonEnabled(true);
    connect(m_filter, &QLineEdit::textChanged, m_proxy, &QSortFilterProxyModel::setFilterFixedString);

    m_table = new QTableView;
    m_table->setObjectName(QStringLiteral("itemTableView"));
    m_table->setModel(m_proxy);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(-1, Qt::AscendingOrder);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->setShowGrid(false);
    m_table->verticalHeader()->hide();
    // Fixed row heights keep thousands of rows fast: no per-row measuring.
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 10);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setDefaultSectionSize(140);
    m_table->horizontalHeader()->setHighlightSections(false);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &InventoryPane::onSelectionChanged);

    m_countLabel = new QLabel;
    m_countLabel->setStyleSheet(QStringLiteral("color: palette(mid);"));

    auto *left = new QWidget;
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(m_filter);
    leftLayout->addWidget(m_table, 1);
    leftLayout->addWidget(m_countLabel);
    return left;
}

QWidget *InventoryPane::createEditor(QFormLayout *form)
{
    m_formTitle = new QLabel;
    QFont titleFont = m_formTitle->font();
    titleFont.setBold(true);
    m_formTitle->setFont(titleFont);

    auto *right = new QWidget;
    right->setMinimumWidth(400);
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(12, 0, 0, 0);
    rightLayout->addWidget(m_formTitle);
    rightLayout->addLayout(form);
    rightLayout->addWidget(buttonRow());
    rightLayout->addStretch(1);
    return right;
}

void InventoryPane::setupStandardLayout(EntityTableModel *model, QFormLayout *form, const QString &filterHint)
{
    auto *splitter = new QSplitter(Qt::Horizontal);
    splitter->addWidget(createItemList(model, filterHint));
    splitter->addWidget(createEditor(form));
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    splitter->setChildrenCollapsible(false);
    contentLayout()->addWidget(splitter, 1);
}

QPushButton *InventoryPane::createButton(const QString &text, const QString &objectName)
{
    auto *button = new QPushButton(text);
    button->setObjectName(objectName);
    return button;
}

QWidget *InventoryPane::buttonRow()
{
    m_addButton = createButton(tr("Add"), QStringLiteral("addButton"));
    m_saveButton = createButton(tr("Save"), QStringLiteral("saveButton"));
    m_deleteButton = createButton(tr("Delete"), QStringLiteral("deleteButton"));
    m_saveButton->setDefault(true);
    m_addButton->setToolTip(tr("Add what was typed into a new item, or start a new one"));
    connect(m_addButton, &QPushButton::clicked, this, [this] {
        // Typed into the empty form, "Add" adds it, as a new user expects (Save does the same).
        if (m_currentId == 0 && m_edited) {
            save();
            return;
        }
        if (confirmDiscard())
            selectItem(0);
    });
    connect(m_saveButton, &QPushButton::clicked, this, &InventoryPane::save);
    connect(m_deleteButton, &QPushButton::clicked, this, &InventoryPane::removeSelected);

    auto *row = new QWidget;
    auto *layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 8, 0, 0);
    layout->addWidget(m_addButton);
    layout->addStretch(1);
    layout->addWidget(m_deleteButton);
    layout->addWidget(m_saveButton);
    return row;
}

void InventoryPane::markEdited()
{
    if (m_loading)
        return;
    m_edited = true;
    revalidate();
}

QWidget *InventoryPane::addField(QFormLayout *form, const QString &label, QWidget *editor,
                                 const QString &field)
{
    auto *box = new QWidget;
    auto *layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(editor);
    auto *error = new QLabel;
    error->setObjectName(field + QStringLiteral("ErrorLabel"));
    error->setWordWrap(true);
    error->setStyleSheet(QStringLiteral("color: #c62828;"));
    error->hide();
    layout->addWidget(error);
    m_fieldErrors.insert(field, error);
    form->addRow(label, box);
    return box;
}

bool InventoryPane::showFieldErrors(const QList<Error> &errors)
{
    QHash<QString, QStringList> byField;
    for (const Error &error : errors)
        byField[m_fieldErrors.contains(error.field) ? error.field : QString()].append(error.text());
    for (auto it = m_fieldErrors.cbegin(); it != m_fieldErrors.cend(); ++it) {
        const QStringList lines = byField.value(it.key());
        it.value()->setText(lines.join(u'\n'));
        it.value()->setVisible(!lines.isEmpty());
    }
    if (const QStringList unplaced = byField.value(QString()); !unplaced.isEmpty())
        showStoreError(Error{unplaced.join(u'\n'), {}, {}});
    return errors.isEmpty();
}

void InventoryPane::showStoreError(const Error &error)
{
    m_storeError->setText(error.text());
    m_storeError->show();
}

void InventoryPane::clearStoreError()
{
    m_storeError->clear();
    m_storeError->hide();
}

QString InventoryPane::storeErrorText() const
{
    return m_storeError->isHidden() ? QString() : m_storeError->text();
}

void InventoryPane::setItemCountText(const QString &text)
{
    if (m_countLabel)
        m_countLabel->setText(text);
}

void InventoryPane::revalidate()
{
    if (m_loading)
        return;
    clearStoreError();
    const QList<Error> errors = validateForm();
    // A new, untouched form is not scolded; Save just stays off until it is valid.
    const bool untouched = m_currentId == 0 && !m_edited;
    showFieldErrors(untouched ? QList<Error>{} : errors);
    m_saveButton->setEnabled(errors.isEmpty());
}

QList<qint64> InventoryPane::selectedIds() const
{
    QList<qint64> ids;
    if (!m_table)
        return ids;
    for (const QModelIndex &index : m_table->selectionModel()->selectedRows())
        ids.append(m_model->idAt(m_proxy->mapToSource(index).row()));
    return ids;
}

void InventoryPane::highlightRow(qint64 id)
{
    if (!m_table)
        return;
    const QSignalBlocker blocker(m_table->selectionModel());
    m_table->clearSelection();
    const int row = id ? m_model->rowOf(id) : -1;
    if (row < 0)
        return;
    const QModelIndex index = m_proxy->mapFromSource(m_model->index(row, 0));
    if (!index.isValid())
        return;
    m_table->selectionModel()->select(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_table->selectionModel()->setCurrentIndex(index, QItemSelectionModel::NoUpdate);
    m_table->scrollTo(index);
}

void InventoryPane::selectItem(qint64 id)
{
    m_currentId = id;
    highlightRow(id);
    m_loading = true;
    loadForm(id);
    m_loading = false;
    m_edited = false;
    if (m_formTitle)
        m_formTitle->setText(id ? tr("Edit") : tr("New"));
    if (m_deleteButton)
        m_deleteButton->setEnabled(id != 0);
    revalidate();
}

QString InventoryPane::itemName(qint64 id) const
{
    const int row = m_model ? m_model->rowOf(id) : -1;
    return row < 0 ? QString() : m_model->index(row, 0).data().toString();
}

bool InventoryPane::confirm(const QString &question, const QString &acceptText)
{
    if (m_confirm)
        return m_confirm(question);
    QMessageBox box(QMessageBox::Question, tr("ReleaseDesk"), question, QMessageBox::NoButton, this);
    QPushButton *accept = box.addButton(acceptText, QMessageBox::DestructiveRole);
    box.addButton(QMessageBox::Cancel);
    box.setDefaultButton(QMessageBox::Cancel);
    box.exec();
    return box.clickedButton() == accept;
}

bool InventoryPane::confirmDiscard()
{
    if (!m_edited)
        return true;
    const QString name = m_currentId ? itemName(m_currentId) : tr("the new item");
    return confirm(tr("Discard the unsaved changes to %1?").arg(name), tr("Discard"));
}

void InventoryPane::onSelectionChanged()
{
    const QList<qint64> ids = selectedIds();
    if (ids.size() == 1 && ids.first() != m_currentId) {
        if (confirmDiscard())
            selectItem(ids.first());
        else
            highlightRow(m_currentId);
    } else if (m_deleteButton) {
        m_deleteButton->setEnabled(!ids.isEmpty());
    }
}

void InventoryPane::save()
{
    if (!showFieldErrors(validateForm())) {
        m_saveButton->setEnabled(false);
        return;
    }
    // The pane waits as a whole: no other item is chosen and nothing typed while the check runs.
    if (startPreparingSave([this] {
            setEnabled(true);
            finishSave();
        })) {
        setEnabled(false);
        return;
    }
    finishSave();
}

void InventoryPane::finishSave()
{
    auto saved = saveForm(m_currentId);
    if (!saved) {
        showStoreError(saved.error());
        if (QLabel *label = m_fieldErrors.value(saved.error().field)) {
            label->setText(saved.error().text());
            label->show();
        }
        return;
    }
    m_currentId = *saved;
    m_edited = false;
    reload();
    emit inventoryChanged();
}

void InventoryPane::removeSelected()
{
    QList<qint64> ids = selectedIds();
    if (ids.isEmpty() && m_currentId)
        ids.append(m_currentId);
    if (ids.isEmpty())
        return;
    QStringList names;
    QStringList consequences;
    for (qint64 id : ids) {
        names.append(itemName(id));
        if (m_consequences)
            consequences.append(m_consequences(id));
    }
    QString question = tr("Delete %1?").arg(names.join(QStringLiteral(", ")));
    if (!consequences.isEmpty())
        question += u'\n' + tr("This also deletes: %1.").arg(consequences.join(QStringLiteral(", ")));
    if (!confirm(question, tr("Delete")))
        return;
    QStringList problems;
    int removed = 0;
    for (qint64 id : ids) {
        if (auto result = removeItem(id); !result)
            problems.append(result.error().text());
        else
            ++removed;
    }
    if (removed) {
        m_currentId = 0;
        m_edited = false;
        reload();
        emit inventoryChanged();
    }
    if (!problems.isEmpty())
        showStoreError(Error{problems.join(u'\n'), {}, {}});
}

void InventoryPane::afterReload()
{
    const bool exists = m_currentId == 0 || (m_model && m_model->rowOf(m_currentId) >= 0);
    if (m_edited && exists) {
        highlightRow(m_currentId);
        m_loading = true;
        refreshKeptForm(m_currentId);
        m_loading = false;
        revalidate();
        return;
    }
    selectItem(exists ? m_currentId : 0);
}

} // namespace rd
