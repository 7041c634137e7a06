/* A library that breaks the symbol rule on purpose: `leaky_symbol` is
 * exported without the kzv_ prefix. check_symbols.sh must fail on it
 * (test symbols-check-catches-leaks), so that symbols-prefixed can fail. */
__attribute__((visibility("default"))) int leaky_symbol(void);
__attribute__((visibility("default"))) int kzv_fine_symbol(void);

int leaky_symbol(void)
{
    return 1;
}

int kzv_fine_symbol(void)
{
    return 2;
}
